"""Quality bar of the risk models: each algorithm against the generator's true probabilities.

Generates loans with tools.synthetic, runs the warehouse's own models on them (`dbt run` up to model_runs,
into a throw-away DuckDB file), then prints each algorithm's cross-validated AUC and calibration error
next to the AUC of the true probabilities, the best any model can do. The bar: the best model's AUC within
MAX_AUC_GAP of that oracle and its expected calibration error at most MAX_CALIBRATION_ERROR. Exit status 1
when the bar is missed.

    python -m tools.quality --loans 100000 --seed 1
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from ml.run_metrics import expected_calibration_error
from tools.dbt_process import DBT, REPO, dbt_env
from tools.markdown import as_markdown
from tools.synthetic import generate_loans

MAX_AUC_GAP = 0.01
MAX_CALIBRATION_ERROR = 0.02


def quality_table(runs: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """One row per algorithm of `runs` (model_runs rows) plus the oracle, the best model first.

    `truth` is the generator's truth file; the oracle scores the same resolved loans with p.
    """
    resolved = truth[~truth["is_open"].astype(bool)]
    outcome = resolved["is_not_fully_recovered"].astype(int).to_numpy()
    probability = resolved["true_probability_not_recovered"].to_numpy(dtype="float64")
    order = np.argsort(resolved["loan_id"].to_numpy(dtype=str), kind="stable")
    oracle_auc = float(roc_auc_score(outcome, probability))
    table = pd.DataFrame(
        {
            "model": runs["algorithm"],
            "cv_roc_auc": runs["cv_roc_auc"].astype(float),
            "auc_gap_to_oracle": oracle_auc - runs["cv_roc_auc"].astype(float),
            "expected_calibration_error": runs["expected_calibration_error"].astype(float),
            "cv_brier": runs["cv_brier"].astype(float),
        }
    ).sort_values("cv_roc_auc", ascending=False, ignore_index=True)
    table["meets_bar"] = (table["auc_gap_to_oracle"] <= MAX_AUC_GAP) & (
        table["expected_calibration_error"] <= MAX_CALIBRATION_ERROR
    )
    oracle = {
        "model": "oracle (true probability)",
        "cv_roc_auc": oracle_auc,
        "auc_gap_to_oracle": 0.0,
        "expected_calibration_error": expected_calibration_error(outcome[order], probability[order]),
        "cv_brier": float(((probability - outcome) ** 2).mean()),
        "meets_bar": None,
    }
    return pd.concat([table, pd.DataFrame([oracle])], ignore_index=True)


def run_warehouse(loan_file: Path, workdir: Path) -> pd.DataFrame:
    """The model_runs rows of `dbt run` on the loan file, every algorithm compared on the same folds."""
    dbt_vars = {
        "loan_recovery_path": str(loan_file),
        # The generated loans come without a ledger; left out, ledger_path would name the bundled sample's.
        "ledger_path": "",
        "risk_model_dir": str(workdir / "fitted_models"),
        "compare_risk_algorithms": True,
    }
    database = workdir / "quality.duckdb"
    command = [
        DBT,
        "run",
        "--select",
        "+model_runs",
        "--vars",
        json.dumps(dbt_vars),
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    subprocess.run(command, cwd=REPO, env=dbt_env(database), check=True)
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute("select * from model_runs").df()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        loans, truth = generate_loans(args.loans, args.seed)
        loan_file = workdir / "loans.parquet"
        loans.to_parquet(loan_file, index=False)
        table = quality_table(run_warehouse(loan_file, workdir), truth)

    print(
        f"\n{args.loans:,} generated loans (seed {args.seed}), 5-fold cross-validated, on resolved loans:\n"
    )
    print(as_markdown(table))
    best = table.iloc[0]
    passed = bool(best["meets_bar"])
    print(
        f"\nBest model {best['model']}: AUC {best['auc_gap_to_oracle']:.4f} below the oracle "
        f"(bar {MAX_AUC_GAP}), "
        f"calibration error {best['expected_calibration_error']:.4f} (bar {MAX_CALIBRATION_ERROR}): "
        f"{'PASS' if passed else 'FAIL'}"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
