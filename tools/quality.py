"""Quality bar of the risk models: each algorithm against the generator's true probabilities.

Generates loans with tools.synthetic, runs the warehouse's own models on them (`dbt build` up to
model_runs, without tests, into a throw-away DuckDB file), then prints each algorithm's cross-validated AUC
and calibration error next to the AUC of the true probabilities, the best any model can do. The bar: the
best model's AUC within MAX_AUC_GAP of that oracle (either way: above it is a leak) and its expected
calibration error at most MAX_CALIBRATION_ERROR. Exit status 1 when the bar is missed. With `--timing
realistic` the loans come with their ledger (tools/synthetic/timing.py), so the ledger features and their
observation point are measured too.

    python -m tools.quality --loans 100000 --seed 1 [--timing realistic]
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
from tools.synthetic import generate_loans, timing, write, write_ledger

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
    table["meets_bar"] = (table["auc_gap_to_oracle"].abs() <= MAX_AUC_GAP) & (
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


def run_warehouse(loan_file: Path, workdir: Path, ledger: Path | None = None) -> pd.DataFrame:
    """The model_runs rows of `dbt build` (no tests) on the loan file and the ledger folder (Parquet files)
    when given, every algorithm compared on the same folds."""
    dbt_vars = {
        "loan_recovery_path": str(loan_file),
        # Without a ledger folder, empty: left out, ledger_path would name the bundled sample's.
        "ledger_path": str(ledger) if ledger else "",
        "ledger_format": "parquet",
        "risk_model_dir": str(workdir / "fitted_models"),
        "compare_risk_algorithms": True,
    }
    database = workdir / "quality.duckdb"
    command = [
        DBT,
        # build, not run: the seeds the staging models read are built too
        "build",
        "--exclude-resource-type",
        "test",
        "unit_test",
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


def measure(n_loans: int, seed: int, timing_mode: str = "snapshot") -> pd.DataFrame:
    """The quality table of the warehouse's models on newly generated loans, snapshot or realistic timing."""
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        if timing_mode == "realistic":
            loans, truth, ledger = timing.generate_portfolio(n_loans, seed)
            write_ledger(ledger, workdir / "ledger", "parquet")
        else:
            (loans, truth), ledger = generate_loans(n_loans, seed), None
        loan_file, _ = write(loans, truth, workdir, fmt="parquet")
        runs = run_warehouse(loan_file, workdir, workdir / "ledger" if ledger is not None else None)
        return quality_table(runs, truth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timing", choices=["snapshot", "realistic"], default="snapshot")
    args = parser.parse_args(argv)

    table = measure(args.loans, args.seed, args.timing)
    print(
        f"\n{args.loans:,} generated loans (seed {args.seed}, {args.timing} timing), 5-fold cross-validated, "
        "on resolved loans:\n"
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
