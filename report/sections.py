"""The report's chart sections in page order, by group: each draws one dbt report model
(models/reports/rpt_<name>.sql)."""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from report.charts import borrowers, collections, ledger, outlook, risk

# Collections first, the portfolio second, how far to trust the numbers third, exploration last.
GROUPS = {
    "collections": "Collections today",
    "portfolio": "Portfolio",
    "quality": "Model and data quality",
    "appendix": "Exploratory appendix",
}


@dataclass(frozen=True)
class Section:
    """One chart of the page: the rpt_ model it reads, in which row order, and the chart of its rows."""

    key: str
    title: str
    group: str
    # The question the section answers, shown under its title and in docs/report.md.
    question: str
    model: str
    order_by: str
    figure: Callable[[pd.DataFrame], tuple[go.Figure, str]]
    # Ledger report models are built only when there is a ledger (dbt_project.yml).
    needs_ledger: bool = False
    # A strategy section gets the red banner when the score that drives strategy is not predictive.
    is_strategy: bool = False


SECTIONS = (
    Section(
        "early-warning",
        "Early warning",
        "collections",
        "Which loans that are still current are starting to slip, and why?",
        "rpt_early_warning",
        "warning_rank",
        outlook.early_warning,
    ),
    Section(
        "strategies",
        "Strategies",
        "collections",
        "How many open loans and how much outstanding sit in each strategy?",
        "rpt_strategies",
        "band_order",
        risk.strategies,
        is_strategy=True,
    ),
    Section(
        "plan-by-team",
        "Collection plan by team",
        "collections",
        "How many open loans does each team get this period, and how many got less than their best action?",
        "rpt_collection_plan_by_team",
        "team_order, assignment_reason",
        collections.plan_by_team,
        is_strategy=True,
    ),
    Section(
        "risk-by-segment",
        "Open loans by segment and risk band",
        "collections",
        "Which borrower segments hold the high-risk open loans?",
        "rpt_risk_by_segment_and_band",
        "band_order, segment_name",
        risk.risk_by_segment_and_band,
        is_strategy=True,
    ),
    Section(
        "roll-rates",
        "Roll rates",
        "collections",
        "Which delinquency bucket still cures, and so deserves the calls?",
        "rpt_roll_rates",
        "from_bucket_order, to_bucket_order",
        ledger.roll_rates,
        needs_ledger=True,
    ),
    Section(
        "stress-results",
        "Stress tests",
        "portfolio",
        "What would the open book lose in a recession, against today?",
        "rpt_stress_results",
        "scenario_order, loan_type",
        outlook.stress_results,
    ),
    Section(
        "monthly-risk-trend",
        "Monthly risk trend",
        "portfolio",
        "Is the share of open loans overdue rising or falling?",
        "rpt_monthly_risk_trend",
        "month_end",
        ledger.monthly_risk_trend,
        needs_ledger=True,
    ),
    Section(
        "vintage-curves",
        "Vintage curves",
        "portfolio",
        "Do loans issued in some years go delinquent faster at the same age?",
        "rpt_vintage_curves",
        "issue_year, months_on_book",
        ledger.vintage_curves,
        needs_ledger=True,
    ),
    Section(
        "payment-gap",
        "Planned vs actual payments",
        "portfolio",
        "How far behind or ahead of plan are ledger loans?",
        "rpt_payment_gap",
        "loan_id",
        ledger.payment_gap,
        needs_ledger=True,
    ),
    Section(
        "repayment-segments",
        "Repayment segments",
        "portfolio",
        "How many ledger loans are underpaid, on track or overpaid?",
        "rpt_repayment_segments",
        "mean_repayment_score",
        ledger.repayment_segments,
        needs_ledger=True,
    ),
    Section(
        "status-by-payment-history",
        "Recovery status by payment history",
        "portfolio",
        "Does a loan's payment history tell how it ends?",
        "rpt_recovery_status_by_payment_history",
        "payment_history, recovery_status",
        borrowers.recovery_status_by_payment_history,
    ),
    Section(
        "missed-payments",
        "Missed payments by recovery status",
        "portfolio",
        "How many payments did loans miss before each outcome?",
        "rpt_missed_payments_by_recovery_status",
        "recovery_status, num_missed_payments",
        borrowers.missed_payments_by_recovery_status,
    ),
    Section(
        "calibration",
        "Calibration",
        "quality",
        "When the score says 30%, do 30% of loans end badly?",
        "rpt_score_calibration",
        "score_decile",
        risk.score_calibration,
    ),
    Section(
        "feature-importance",
        "Feature importance",
        "quality",
        "Which loan facts drive the score?",
        "rpt_feature_importance",
        "importance_rank desc",
        risk.feature_importance,
    ),
    Section(
        "amount-vs-income",
        "Loan amount vs monthly income",
        "appendix",
        "How does loan size relate to income?",
        "rpt_loan_amount_vs_income",
        "loan_id",
        borrowers.loan_amount_vs_income,
    ),
    Section(
        "income-amount-by-status",
        "Monthly income and loan amount by recovery status",
        "appendix",
        "Do outcomes differ by income and loan size?",
        "rpt_income_amount_by_recovery_status",
        "recovery_status, loan_id",
        borrowers.income_amount_by_recovery_status,
    ),
    Section(
        "segments",
        "Borrower segments",
        "appendix",
        "What do the borrower segments look like?",
        "rpt_borrower_segments",
        "segment_name, loan_id",
        borrowers.borrower_segments,
    ),
    Section(
        "correlations",
        "Correlations",
        "appendix",
        "Which loan facts move together?",
        "rpt_feature_correlations",
        "left_order, right_order",
        risk.feature_correlations,
    ),
)
