"""Which `loan_features` columns the models may use, and which they must never see.

This is the single list the segmentation and risk models read; the leakage tests check it.
"""

ID_COLUMN = "loan_id"

# The label: 1 when a resolved loan was not fully recovered, 0 when it was, null while the loan is open.
LABEL = "is_not_fully_recovered"

# Borrower financial profile used to segment borrowers (the source documents' clustering inputs,
# without age, a protected attribute).
SEGMENTATION_FEATURES = [
    "monthly_income",
    "loan_amount",
    "loan_tenure_months",
    "interest_rate_pct",
    "collateral_value",
    "outstanding_loan_amount",
    "monthly_emi",
    "num_missed_payments",
    "days_past_due",
]

# Everything known about a loan before its outcome: the profile plus burden ratios and encoded categories.
RISK_FEATURES = [
    *SEGMENTATION_FEATURES,
    "emi_to_income_ratio",
    "loan_to_annual_income_ratio",
    "collateral_coverage_ratio",
    "outstanding_share",
    "payment_history_rank",
    "is_self_employed",
    "is_business_owner",
    "is_home_loan",
    "is_auto_loan",
    "is_business_loan",
]

# Repayment behaviour from the loan ledger: used when the warehouse has a ledger (all null otherwise).
LEDGER_FEATURES = ["paid_to_plan_ratio", "payment_gap_share", "days_since_last_payment"]

# Recorded after the outcome is known: they would leak it into any model.
POST_OUTCOME_COLUMNS = [
    "recovery_status",
    "collection_attempts",
    "collection_method",
    "is_legal_action_taken",
]

# Protected attributes: reported on, never modelled.
PROTECTED_COLUMNS = ["gender", "age"]


def model_features(features) -> list[str]:
    """The risk model's inputs for this frame: RISK_FEATURES, plus the ledger features it has values for."""
    return RISK_FEATURES + [
        column for column in LEDGER_FEATURES if column in features and features[column].notna().any()
    ]
