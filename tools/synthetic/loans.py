"""The snapshot columns: the simulated world written as the public dataset's 21 columns, and its truth."""

import numpy as np
import pandas as pd

from tools.synthetic.world import (
    COLLECTION_METHODS,
    EMPLOYMENT_TYPES,
    GENDERS,
    LOAN_TYPES,
    PAYMENT_HISTORIES,
    RECOVERY_STATUSES,
    simulate,
)

COLUMNS = [
    "Borrower_ID",
    "Age",
    "Gender",
    "Employment_Type",
    "Monthly_Income",
    "Num_Dependents",
    "Loan_ID",
    "Loan_Amount",
    "Loan_Tenure",
    "Interest_Rate",
    "Loan_Type",
    "Collateral_Value",
    "Outstanding_Loan_Amount",
    "Monthly_EMI",
    "Payment_History",
    "Num_Missed_Payments",
    "Days_Past_Due",
    "Recovery_Status",
    "Collection_Attempts",
    "Collection_Method",
    "Legal_Action_Taken",
]
TWO_DECIMAL_COLUMNS = ["Interest_Rate", "Collateral_Value", "Outstanding_Loan_Amount", "Monthly_EMI"]
TRUTH_COLUMNS = ["loan_id", "true_probability_not_recovered", "is_open", "is_not_fully_recovered"]


def _labels(values: list[str], codes) -> np.ndarray:
    return np.asarray(values, dtype=object)[np.asarray(codes)]


def _format_loans(world: pd.DataFrame) -> pd.DataFrame:
    number = np.arange(1, len(world) + 1).astype(str)
    status = np.where(world["is_open"], None, _labels(RECOVERY_STATUSES, world["status"]))
    loans = {
        "Borrower_ID": np.strings.add("BRW_", number),
        "Age": world["age"],
        "Gender": _labels(GENDERS, world["gender"]),
        "Employment_Type": _labels(EMPLOYMENT_TYPES, world["employment"]),
        "Monthly_Income": world["income"].astype("int64"),
        "Num_Dependents": world["dependents"],
        "Loan_ID": np.strings.add("LN_", number),
        "Loan_Amount": world["amount"].astype("int64"),
        "Loan_Tenure": world["tenure"],
        "Interest_Rate": world["rate"],
        "Loan_Type": _labels(LOAN_TYPES, world["loan_type"]),
        "Collateral_Value": world["collateral"],
        "Outstanding_Loan_Amount": world["outstanding"],
        "Monthly_EMI": world["emi"],
        "Payment_History": _labels(PAYMENT_HISTORIES, world["history"]),
        "Num_Missed_Payments": world["missed"],
        "Days_Past_Due": world["days_past_due"],
        "Recovery_Status": pd.Series(status, index=world.index, dtype="str"),
        "Collection_Attempts": world["attempts"],
        "Collection_Method": _labels(COLLECTION_METHODS, world["method"]),
        "Legal_Action_Taken": np.where(world["legal"], "Yes", "No"),
    }
    return pd.DataFrame(loans)


def _format_truth(world: pd.DataFrame, loan_ids: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": loan_ids,
            "true_probability_not_recovered": np.round(world["probability"].to_numpy(), 6),
            "is_open": world["is_open"].to_numpy(),
            "is_not_fully_recovered": world["not_recovered"].to_numpy(),
        }
    )


def loans_and_truth(world: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    loans = _format_loans(world)
    return loans, _format_truth(world, loans["Loan_ID"])


def generate_loans(n_loans: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw `n_loans` loans in the public dataset's format, and the truth behind each (same row order)."""
    blocks, _ = simulate(n_loans, seed)
    return loans_and_truth(pd.concat(blocks, ignore_index=True).iloc[:n_loans])
