"""The report's one palette and one set of labels: every chart takes status and band colours and field names
from here."""

import plotly.graph_objects as go

# Severity: green good, amber partial, red bad, grey not yet known. Statuses and bands share the same colours.
GREEN = "#2e7d32"
AMBER = "#f59e0b"
RED = "#c62828"
GREY = "#9e9e9e"
NEUTRAL = "#1f5f8b"

STATUS_COLORS = {
    "Fully Recovered": GREEN,
    "Partially Recovered": AMBER,
    "Open": GREY,
    "Written Off": RED,
}
BAND_COLORS = {"Low": GREEN, "Medium": AMBER, "High": RED}
# Why a loan got its action: its best (green), the next best because capacity ran out (amber), nothing to do
# (grey). Experiment arms are neither good nor bad: two neutral hues, never green or red.
REASON_COLORS = {"best value": GREEN, "next best: capacity ran out": AMBER, "not eligible": GREY}
ARM_COLORS = {"champion": NEUTRAL, "challenger": "#6a1b9a"}
# Sequential scale for heatmaps of shares: light (few) to dark red (many).
SHARE_SCALE = [[0, "#fff5f0"], [1, RED]]

# Amounts are in the loan file's currency, said once at the top of the page.
LABELS = {
    "monthly_income": "Monthly income",
    "loan_amount": "Loan amount",
    "loan_tenure_months": "Tenure (months)",
    "interest_rate_pct": "Interest rate (%)",
    "collateral_value": "Collateral value",
    "outstanding_loan_amount": "Outstanding",
    "monthly_emi": "Monthly instalment",
    "num_missed_payments": "Missed payments",
    "days_past_due": "Days past due",
    "days_since_last_payment": "Days since last payment",
    "emi_to_income_ratio": "Instalment / income",
    "loan_to_value_ratio": "Loan / collateral value",
    "is_not_fully_recovered": "Not fully recovered (outcome)",
    "num_dependents": "Dependents",
    "age": "Age",
    "collection_attempts": "Collection attempts",
    "payment_history": "Payment history",
    "recovery_status": "Recovery status",
    "employment_type": "Employment type",
    "loan_type": "Loan type",
    "segment_name": "Borrower segment",
    "risk_band": "Risk band",
    "expected_loss": "Expected loss",
    "risk_score": "Risk score",
    "share_ever_30_plus": "Ever 30+ days past due (%)",
    "months_on_book": "Months on book",
    "issue_year": "Issue year",
}


def label(field: str) -> str:
    """The human name of a field, for axes, legends and captions; an unknown field reads as plain words."""
    if field in LABELS:
        return LABELS[field]
    words = field.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def labels(*fields: str) -> dict[str, str]:
    return {field: label(field) for field in fields}


# SVG, not WebGL: GPU-less machines, headless browsers included, draw it the same; 5,000 points stay fast.
SCATTER_RENDER = "svg"


def titled(figure: go.Figure, title: str, height: int = 480) -> go.Figure:
    return figure.update_layout(title=title, height=height, template="plotly_white", margin={"t": 70})
