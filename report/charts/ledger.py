"""Charts of the loan ledger: vintage curves, roll rates, monthly risk trend, repayment, payment gap."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from report.charts.layout import AMOUNT, titled


def vintage_curves(data: pd.DataFrame) -> tuple[go.Figure, str]:
    data = data.assign(issue_year=data.issue_year.astype(str))
    figure = px.line(
        data,
        x="months_on_book",
        y="share_ever_30_plus",
        color="issue_year",
        labels={
            "months_on_book": "Months on book (months)",
            "share_ever_30_plus": "Share ever 30+ days past due (%)",
            "issue_year": "Issue year",
        },
    )
    figure.update_yaxes(tickformat=".0%")
    at_age = data[data.is_comparison_age].set_index("issue_year")
    shares = at_age.share_ever_30_plus
    sentence = (
        f"At {at_age.months_on_book.iloc[0]} months on book, {shares.max():.1%} of the loans issued in "
        f"{shares.idxmax()} had been 30+ days past due, {shares.min():.1%} of those issued in "
        f"{shares.idxmin()}."
    )
    return titled(figure, "Vintage curves by issue year"), sentence


def roll_rates(data: pd.DataFrame) -> tuple[go.Figure, str]:
    from_order = data.drop_duplicates("from_bucket").sort_values("from_bucket_order").from_bucket
    to_order = data.drop_duplicates("to_bucket").sort_values("to_bucket_order").to_bucket
    rates = data.pivot(index="from_bucket", columns="to_bucket", values="roll_rate").loc[from_order, to_order]
    figure = go.Figure(
        go.Heatmap(
            z=rates.fillna(0).to_numpy(),
            x=list(rates.columns),
            y=list(rates.index),
            text=rates.map(lambda rate: "" if pd.isna(rate) else f"{rate:.1%}").to_numpy(),
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": "Roll rate", "tickformat": ".0%"},
        )
    )
    figure.update_xaxes(title="Bucket a month later (days past due)")
    figure.update_yaxes(title="Bucket at month end (days past due)", autorange="reversed")
    first, last = from_order.iloc[0], from_order.iloc[-1]
    cures = data.drop_duplicates("from_bucket").set_index("from_bucket").cure_rate
    sentence = (
        f"{rates.loc[first, first]:.1%} of {first} loans are still {first} a month later; "
        f"of loans in {last}, {cures[last]:.1%} are back to {first}."
    )
    return titled(figure, "Roll rates between delinquency buckets"), sentence


def monthly_risk_trend(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(
            x=data.month_end, y=data.share_of_active_loans_overdue, name="Share of active loans overdue"
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Bar(x=data.month_end, y=data.overdue_amount, name="Overdue amount", opacity=0.35),
        secondary_y=True,
    )
    figure.update_xaxes(title="Month end")
    figure.update_yaxes(title="Active loans overdue (%)", tickformat=".0%", secondary_y=False)
    figure.update_yaxes(title=f"Overdue amount ({AMOUNT})", secondary_y=True)
    latest = data.iloc[-1]
    peak = data.loc[data.share_of_active_loans_overdue.idxmax()]
    peak_text = (
        f"the peak was {peak.share_of_active_loans_overdue:.1%} at {peak.month_end:%Y-%m-%d}"
        if peak.month_end != latest.month_end
        else "the highest share of any month"
    )
    sentence = (
        f"At {latest.month_end:%Y-%m-%d}, {latest.share_of_active_loans_overdue:.1%} of "
        f"{latest.active_loans:,} active loans were overdue ({latest.overdue_amount:,.0f}), {peak_text}."
    )
    return titled(figure, "Monthly risk trend"), sentence


def repayment_segments(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        go.Bar(
            x=data.repayment_segment,
            y=data.loans,
            text=[f"{share:.0%}" for share in data.share_of_loans],
            customdata=data.mean_repayment_score,
            hovertemplate="%{x}: %{y:,} loans, mean repayment score %{customdata:.1f}",
        )
    )
    figure.update_xaxes(title="Repayment segment")
    figure.update_yaxes(title="Loans (count)")
    parts = [
        f"{row.repayment_segment} {row.share_of_loans:.0%} (mean score {row.mean_repayment_score:.0f})"
        for row in data.itertuples()
    ]
    return titled(figure, "Repayment segments"), "Ledger loans by segment: " + ", ".join(parts) + "."


def payment_gap(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(go.Histogram(x=data.payment_gap, nbinsx=60))
    figure.update_xaxes(title=f"Planned minus paid to date ({AMOUNT}; positive = behind plan)")
    figure.update_yaxes(title="Loans (count)")
    row = data.iloc[0]
    sentence = (
        f"Of {int(row.ledger_loans):,} ledger loans, {row.share_behind:.0%} had paid less than planned by "
        f"the as-of date and {row.share_ahead:.0%} more; the median gap is {row.median_gap:,.0f}."
    )
    return titled(figure, "Planned vs actual payments"), sentence
