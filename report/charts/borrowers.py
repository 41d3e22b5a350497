"""Charts of the book and its borrowers: income and loan size, payments and outcome, segments."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from report.style import CATEGORY_COLORS, SCATTER_RENDER, STATUS_COLORS, label, labels, titled


def income_vs_amount(data: pd.DataFrame, color: str | None = None, **options) -> go.Figure:
    """Loan amount against monthly income of sampled loans, the axes of three of the report's scatters."""
    return px.scatter(
        data,
        x="monthly_income",
        y="loan_amount",
        color=color,
        render_mode=SCATTER_RENDER,
        labels=labels("monthly_income", "loan_amount", *([color] if color else [])),
        **{"color_discrete_sequence": CATEGORY_COLORS, **options},
    )


def loan_amount_vs_income(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = income_vs_amount(data, marginal_x="histogram", marginal_y="histogram", opacity=0.5)
    row = data.iloc[0]
    sentence = (
        f"Across {int(row.book_loans):,} loans, loan amount and monthly income correlate at "
        f"{row.income_amount_correlation:.2f}; "
        f"the median loan is {row.median_amount_to_income:.1f} times the median monthly income "
        f"({len(data):,} loans plotted)."
    )
    return titled(figure, "Loan amount vs monthly income", height=560), sentence


def recovery_status_by_payment_history(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.bar(
        data,
        x="payment_history",
        y="share_of_payment_history",
        color="recovery_status",
        color_discrete_map=STATUS_COLORS,
        category_orders={"recovery_status": list(STATUS_COLORS)},
        custom_data=["loans"],
        labels={
            **labels("payment_history", "recovery_status"),
            "share_of_payment_history": "Resolved loans (%)",
        },
    )
    figure.update_yaxes(tickformat=".0%")
    status = "Written Off"
    shares = data[data.recovery_status == status].set_index("payment_history").share_of_payment_history
    worst, best = shares.idxmax(), shares.idxmin()
    sentence = (
        f"{status}: {shares[worst]:.0%} of resolved loans with {worst} payment history against "
        f"{shares[best]:.0%} of those with {best}; a {worst} history is an early warning worth a call."
    )
    return titled(figure, "Recovery status by payment history"), sentence


def missed_payments_by_recovery_status(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.bar(
        data,
        x="num_missed_payments",
        y="share_of_status",
        color="recovery_status",
        color_discrete_map=STATUS_COLORS,
        category_orders={"recovery_status": list(STATUS_COLORS)},
        barmode="group",
        labels={
            **labels("num_missed_payments", "recovery_status"),
            "share_of_status": "Loans of the status (%)",
        },
    )
    figure.update_yaxes(tickformat=".0%")
    statuses = data.drop_duplicates("recovery_status").sort_values("mean_missed_payments", ascending=False)
    parts = [
        f"{row.recovery_status} loans missed {row.mean_missed_payments:.1f} payments on average"
        for row in statuses.itertuples()
    ]
    return titled(figure, "Missed payments by recovery status"), "; ".join(parts) + "."


def income_amount_by_recovery_status(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = income_vs_amount(
        data,
        "recovery_status",
        opacity=0.6,
        color_discrete_map=STATUS_COLORS,
        category_orders={"recovery_status": list(STATUS_COLORS)},
    )
    statuses = data.drop_duplicates("recovery_status").sort_values("status_median_income")
    parts = [
        f"{row.recovery_status} {row.status_median_income:,.0f} / {row.status_median_amount:,.0f}"
        for row in statuses.itertuples()
    ]
    sentence = "Median monthly income / loan amount by status: " + ", ".join(parts) + "."
    return titled(figure, "Monthly income and loan amount by recovery status", height=520), sentence


def borrower_segments(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = income_vs_amount(data, "segment_name", opacity=0.6)
    segments = data.drop_duplicates("segment_name").set_index("segment_name")
    largest = segments.share_of_loans.idxmax()
    sentence = (
        f"{len(segments)} segments; the largest, {largest}, holds {segments.share_of_loans[largest]:.0%} of "
        f"loans with a median monthly income of {segments.segment_median_income[largest]:,.0f}."
    )
    return titled(figure, f"{label('segment_name')}s on income vs loan amount", height=520), sentence
