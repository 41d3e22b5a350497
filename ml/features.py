"""Which `loan_features` columns the models may use, and which they must never see.

This is the single list the segmentation and risk models read; the leakage tests check it. A lender's own
features, declared in the column map (loan_features.extra_features), join the risk model's inputs here.
"""

import json

import pandas as pd

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


# The lender's extra features (macros/inputs/column_map.sql): one JSON object per loan, {"name": value}.
EXTRA_FEATURES_COLUMN = "extra_features"
# A numeric extra feature is the model input "extra:<name>"; a categorical one becomes one 0/1 input per
# level, "extra:<name>=<level>", for its MAX_EXTRA_LEVELS most frequent levels (others count as none of them).
EXTRA_PREFIX = "extra:"
MAX_EXTRA_LEVELS = 50

# What the risk model reads of loan_features (its inputs, the label and the lender's extra features): the
# Python models that fit, score or measure it read these columns only.
RISK_MODEL_COLUMNS = [ID_COLUMN, LABEL, *RISK_FEATURES, *LEDGER_FEATURES, EXTRA_FEATURES_COLUMN]


def model_features(features) -> list[str]:
    """The risk model's inputs for this frame: the RISK_FEATURES and LEDGER_FEATURES it has values for, then
    the extra features (with_extra_features) it has values for.

    A feature without a value for any loan (its column absent from the lender's file, or built on one that is)
    is left out, and so does not appear in model_runs.features.
    """
    extras = [column for column in features.columns if str(column).startswith(EXTRA_PREFIX)]
    return [
        column
        for column in RISK_FEATURES + LEDGER_FEATURES + extras
        if column in features and features[column].notna().any()
    ]


def segmentation_features(features) -> list[str]:
    """The SEGMENTATION_FEATURES this frame has values for (a lender's file may lack their columns)."""
    return [
        column for column in SEGMENTATION_FEATURES if column in features and features[column].notna().any()
    ]


def with_extra_features(features: pd.DataFrame, names: list[str] | None = None) -> pd.DataFrame:
    """`features` with its extra features as model inputs: the given `names` (a fitted model's), or every
    numeric extra feature and the indicators of each categorical one's most frequent levels.

    The frame itself when it has no extra features (no copy). A frame of no loans (no open loan to stress, no
    changed loan to rescore) gets every named input as an empty column.
    """
    if names is not None and features.empty:
        missing = [name for name in names if name not in features]
        # one concat, not a column at a time (pandas warns of a fragmented frame past 100 columns)
        empty = pd.DataFrame(columns=missing, index=features.index, dtype="float64")
        return pd.concat([features, empty], axis=1)
    if EXTRA_FEATURES_COLUMN not in features or features[EXTRA_FEATURES_COLUMN].isna().all():
        return features
    present = [column for column in features.columns if str(column).startswith(EXTRA_PREFIX)]
    if present and (names is None or set(names) <= set(features.columns)):
        return features
    given = pd.DataFrame.from_records(
        [json.loads(text) if isinstance(text, str) else {} for text in features[EXTRA_FEATURES_COLUMN]],
        index=features.index,
    )
    columns = {}
    for name in given.columns:
        values = given[name]
        if values.map(lambda value: isinstance(value, str)).any():
            levels = _levels(values) if names is None else _named_levels(name, names)
            for level in levels:
                columns[f"{EXTRA_PREFIX}{name}={level}"] = (values == level).astype("float64")
        elif names is None or f"{EXTRA_PREFIX}{name}" in names:
            columns[f"{EXTRA_PREFIX}{name}"] = pd.to_numeric(values).astype("float64")
    # A fitted model's indicator of a level no loan here has is 0 for every loan.
    for name in names or []:
        if name.startswith(EXTRA_PREFIX) and "=" in name and name not in columns:
            columns[name] = 0.0
    return pd.concat([features, pd.DataFrame(columns, index=features.index)], axis=1)


def _levels(values: pd.Series) -> list[str]:
    """The MAX_EXTRA_LEVELS most frequent levels (ties by name), in name order."""
    counts = values.dropna().value_counts().sort_index()
    return sorted(counts.sort_values(ascending=False, kind="stable").index[:MAX_EXTRA_LEVELS])


def _named_levels(name: str, names: list[str]) -> list[str]:
    prefix = f"{EXTRA_PREFIX}{name}="
    return [column[len(prefix) :] for column in names if column.startswith(prefix)]
