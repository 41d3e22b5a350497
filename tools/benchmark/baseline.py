"""Baseline: the source documents' method (pandas reads the CSV, K-Means flags risk, a forest scores)."""

import json
from pathlib import Path

import pandas as pd
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

# The source documents' method. Their features: the numeric columns of document 000's dataset overview
# (demographics, financial attributes, behaviour, loan attributes); Payment_History is text, so left out.
SOURCE_FEATURES = [
    "Age",
    "Monthly_Income",
    "Loan_Amount",
    "Loan_Tenure",
    "Interest_Rate",
    "Collateral_Value",
    "Outstanding_Loan_Amount",
    "Monthly_EMI",
    "Num_Missed_Payments",
    "Days_Past_Due",
]
SOURCE_CLUSTERS = 4
# Document 001 names its clusters by number: 0 "Moderate Income, High Loan Burden" and 3 "High Loan, Higher
# Default Risk" (here "High Loan, In Arrears") are the risky segments its High_Risk_Flag marks.
SOURCE_HIGH_RISK_CLUSTERS = (0, 3)
SOURCE_TEST_SHARE = 0.3
SOURCE_TREES = 100
SOURCE_RANDOM_STATE = 42


def source_approach(csv_path: Path, out: Path) -> None:
    """The source documents' method on the loan CSV; writes its AUC against the actual outcome to `out`."""
    loans = pd.read_csv(csv_path)
    scaled = StandardScaler().fit_transform(loans[SOURCE_FEATURES])
    clusters = KMeans(n_clusters=SOURCE_CLUSTERS, n_init=10, random_state=SOURCE_RANDOM_STATE).fit_predict(
        scaled
    )
    loans["High_Risk_Flag"] = pd.Series(clusters).isin(SOURCE_HIGH_RISK_CLUSTERS).astype(int)
    train, test = train_test_split(loans, test_size=SOURCE_TEST_SHARE, random_state=SOURCE_RANDOM_STATE)
    forest = RandomForestClassifier(n_estimators=SOURCE_TREES, random_state=SOURCE_RANDOM_STATE)
    forest.fit(train[SOURCE_FEATURES], train["High_Risk_Flag"])
    loans["Risk_Score"] = forest.predict_proba(loans[SOURCE_FEATURES])[:, 1]
    # Measured like model_runs: against the actual outcome, on held-out loans whose outcome is known.
    held_out = loans.loc[test.index]
    held_out = held_out[held_out["Recovery_Status"].notna()]
    auc = roc_auc_score(held_out["Recovery_Status"] != "Fully Recovered", held_out["Risk_Score"])
    out.write_text(json.dumps({"roc_auc": float(auc), "scored_loans": len(loans)}))
