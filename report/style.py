"""The report's one palette and one set of labels: every chart takes status and band colours and field names
from here."""

import plotly.graph_objects as go

# One meaning per colour across the page. Green, amber and red say how a loan ended or is paying: good,
# partial, bad (grey: not known yet); good news is never amber or red. Risk bands are how likely a loss is, in
# one purple from light (low) to dark (high). Plain counts, amounts and shares are blue, which judges nothing.
GREEN = "#2e7d32"
LIGHT_GREEN = "#81c784"
AMBER = "#f59e0b"
RED = "#c62828"
GREY = "#9e9e9e"
NEUTRAL = "#1f5f8b"
LIGHT_NEUTRAL = "#8fb8d8"

STATUS_COLORS = {
    "Fully Recovered": GREEN,
    "Partially Recovered": AMBER,
    "Open": GREY,
    "Written Off": RED,
}
REPAYMENT_COLORS = {"Underpaid": RED, "On Track": GREEN, "Overpaid": LIGHT_GREEN}
BAND_COLORS = {"Low": "#cbc9e2", "Medium": "#9e9ac8", "High": "#54278f"}
# Why a loan got its action is a fact of the plan, not good or bad news: its best (blue), the next best
# because capacity ran out (light blue), nothing to do (grey). Experiment arms: two hues used nowhere else.
REASON_COLORS = {"best value": NEUTRAL, "next best: capacity ran out": LIGHT_NEUTRAL, "not eligible": GREY}
ARM_COLORS = {"champion": "#00695c", "challenger": "#8d6e63"}
# Categories that are neither good nor bad (issue years, borrower segments): hues with no red, amber or green.
CATEGORY_COLORS = ["#1f5f8b", "#7e57c2", "#00838f", "#8d6e63", "#3949ab", "#546e7a", "#0277bd", "#6d4c41"]
# Sequential scale for heatmaps of shares: light (few) to dark blue (many); a share is neither good nor bad.
SHARE_SCALE = [[0, "#f4f8fb"], [1, NEUTRAL]]

# collection_actions' team of the monitoring action: no team works those loans.
NO_TEAM = "None"


def team_name(team: str) -> str:
    """A team as the page names it: the monitoring 'team' is no team, and no work."""
    return "No team (monitoring only)" if team == NO_TEAM else team


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


def _amount(value: float) -> str:
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:,.0f}"


# A model input as a collector says it, from the loan's value of it (rpt_loan_reasons); yes/no inputs have no
# value.
COLLECTOR_WORDS = {
    "days_past_due": lambda v: f"{v:.0f} days past due",
    "num_missed_payments": lambda v: f"{v:.0f} missed instalment{'' if v == 1 else 's'}",
    "days_since_last_payment": lambda v: f"no payment for {v:.0f} days",
    "payment_gap_share": lambda v: (
        f"behind plan by {v:.0%} of the loan" if v > 0 else f"ahead of plan by {-v:.0%} of the loan"
    ),
    "paid_to_plan_ratio": lambda v: f"paid {v:.0%} of what was due",
    "payment_history_rank": lambda v: ("pays on time", "payments delayed", "payments missed")[int(v)],
    "collateral_value": lambda v: "no collateral" if v == 0 else f"collateral worth {_amount(v)}",
    "collateral_coverage_ratio": lambda v: (
        "no collateral" if v == 0 else f"collateral covers {v:.0%} of the loan"
    ),
    "monthly_income": lambda v: f"income {_amount(v)} a month",
    "monthly_emi": lambda v: f"instalment {_amount(v)} a month",
    "emi_to_income_ratio": lambda v: f"instalment is {v:.0%} of income",
    "loan_to_annual_income_ratio": lambda v: f"loan is {v:.1f}x a year's income",
    "loan_amount": lambda v: f"loan of {_amount(v)}",
    "interest_rate_pct": lambda v: f"interest {v:.1f}%",
    "outstanding_loan_amount": lambda v: f"{_amount(v)} still owed",
    "outstanding_share": lambda v: f"{v:.0%} of the loan still owed",
    "loan_tenure_months": lambda v: f"{v:.0f}-month loan",
    "is_home_loan": lambda v: "home loan",
    "is_auto_loan": lambda v: "car loan",
    "is_business_loan": lambda v: "business loan",
    "is_self_employed": lambda v: "self-employed",
    "is_business_owner": lambda v: "business owner",
}


def collector_words(reason: str, value: float | None) -> str:
    """A reason as a collector says it ("3 missed instalments"); the input's label when there are no words."""
    words = COLLECTOR_WORDS.get(reason)
    has_value = value is not None and value == value
    if words is None or not (has_value or reason.startswith("is_")):
        return label(reason)
    return words(value)


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
