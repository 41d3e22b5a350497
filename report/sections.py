"""The report's sections in page order: each draws one dbt report model (models/reports/rpt_<name>.sql)."""

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from report.charts import borrowers, ledger, risk


@dataclass(frozen=True)
class Section:
    """One section of the page: the rpt_ model it reads, in which row order, and the chart of its rows."""

    key: str
    title: str
    model: str
    order_by: str
    figure: Callable[[pd.DataFrame], tuple[go.Figure, str]]
    # Ledger report models are built only when there is a ledger (dbt_project.yml).
    needs_ledger: bool = False


SECTIONS = (
    Section("kpis", "Portfolio KPIs", "rpt_portfolio_kpis", "", borrowers.portfolio_kpis),
    Section(
        "amount-vs-income",
        "Loan amount vs monthly income",
        "rpt_loan_amount_vs_income",
        "loan_id",
        borrowers.loan_amount_vs_income,
    ),
    Section(
        "status-by-payment-history",
        "Recovery status by payment history",
        "rpt_recovery_status_by_payment_history",
        "payment_history, recovery_status",
        borrowers.recovery_status_by_payment_history,
    ),
    Section(
        "missed-payments",
        "Missed payments by recovery status",
        "rpt_missed_payments_by_recovery_status",
        "recovery_status, num_missed_payments",
        borrowers.missed_payments_by_recovery_status,
    ),
    Section(
        "income-amount-by-status",
        "Monthly income and loan amount by recovery status",
        "rpt_income_amount_by_recovery_status",
        "recovery_status, loan_id",
        borrowers.income_amount_by_recovery_status,
    ),
    Section(
        "segments",
        "Borrower segments",
        "rpt_borrower_segments",
        "segment_name, loan_id",
        borrowers.borrower_segments,
    ),
    Section(
        "risk-heatmap",
        "Risk by segment and band",
        "rpt_risk_by_segment_and_band",
        "band_order, segment_name",
        risk.risk_by_segment_and_band,
    ),
    Section("strategies", "Strategies", "rpt_strategies", "band_order", risk.strategies),
    Section(
        "feature-importance",
        "Feature importance",
        "rpt_feature_importance",
        "importance_rank desc",
        risk.feature_importance,
    ),
    Section("calibration", "Calibration", "rpt_score_calibration", "score_decile", risk.score_calibration),
    Section(
        "vintage-curves",
        "Vintage curves",
        "rpt_vintage_curves",
        "issue_year, months_on_book",
        ledger.vintage_curves,
        needs_ledger=True,
    ),
    Section(
        "roll-rates",
        "Roll rates",
        "rpt_roll_rates",
        "from_bucket_order, to_bucket_order",
        ledger.roll_rates,
        needs_ledger=True,
    ),
    Section(
        "monthly-risk-trend",
        "Monthly risk trend",
        "rpt_monthly_risk_trend",
        "month_end",
        ledger.monthly_risk_trend,
        needs_ledger=True,
    ),
    Section(
        "repayment-segments",
        "Repayment segments",
        "rpt_repayment_segments",
        "mean_repayment_score",
        ledger.repayment_segments,
        needs_ledger=True,
    ),
    Section(
        "payment-gap",
        "Planned vs actual payments",
        "rpt_payment_gap",
        "loan_id",
        ledger.payment_gap,
        needs_ledger=True,
    ),
    Section(
        "correlations",
        "Correlations",
        "rpt_feature_correlations",
        "left_order, right_order",
        risk.feature_correlations,
    ),
)
