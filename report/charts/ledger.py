"""Charts of the loan ledger: vintage curves, roll rates, monthly risk trend, repayment, payment gap."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from report.style import (
    CATEGORY_COLORS,
    LIGHT_NEUTRAL,
    NEUTRAL,
    REPAYMENT_COLORS,
    SHARE_SCALE,
    labels,
    titled,
)


def vintage_curves(data: pd.DataFrame) -> tuple[go.Figure, str]:
    data = data.assign(
        issue_year=data.issue_year.astype(str) + " (" + data.cohort_loans.map("{:,.0f}".format) + " loans)"
    )
    figure = px.line(
        data,
        x="months_on_book",
        y="share_ever_30_plus",
        color="issue_year",
        color_discrete_sequence=CATEGORY_COLORS,
        labels=labels("months_on_book", "share_ever_30_plus", "issue_year"),
    )
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    at_age = data[data.is_comparison_age].set_index("issue_year")
    shares = at_age.share_ever_30_plus
    sentence = (
        f"At {at_age.months_on_book.iloc[0]} months on book, {shares.max():.1%} of the loans issued in "
        f"{shares.idxmax()} had been 30+ days past due, {shares.min():.1%} of those issued in "
        f"{shares.idxmin()}. Each year's curve counts the same loans at every age and stops at the age its "
        "newest issue month has reached; a gap between years at the same age is underwriting or a shared "
        "calendar event (a bad season hits young and old loans at once), so check the other years' curves in "
        "the same calendar months before blaming one year's lending."
    )
    return titled(figure, "Vintage curves by issue year (fixed cohorts)"), sentence


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
            colorscale=SHARE_SCALE,
            colorbar={"title": "Roll rate", "tickformat": ".0%"},
        )
    )
    figure.update_xaxes(title="Bucket a month later (days past due)")
    figure.update_yaxes(title="Bucket at month end (days past due)", autorange="reversed")
    cures = data.drop_duplicates("from_bucket").set_index("from_bucket").cure_rate
    current, early = from_order.iloc[0], from_order.iloc[1] if len(from_order) > 1 else from_order.iloc[0]
    later = from_order.iloc[2] if len(from_order) > 2 else early
    roll_on = rates.loc[early, later] if later in rates.columns else 0.0
    sentence = (
        f"{roll_on:.1%} of {early} loans roll to {later} within a month, while {cures[early]:.1%} cure; of "
        f"{later} loans only {cures[later]:.1%} are back to {current} a month later. Work the {early} bucket "
        "first: it is the last one that still cures."
    )
    return titled(figure, "Roll rates between delinquency buckets"), sentence


def monthly_risk_trend(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("Open loans overdue (%)", "Overdue amount of open loans"),
    )
    figure.add_trace(
        go.Scatter(
            x=data.month_end,
            y=data.share_of_open_loans_overdue,
            customdata=data[["open_overdue_loans", "open_loans"]],
            hovertemplate="%{x|%Y-%m}: %{y:.1%} (%{customdata[0]:,} of %{customdata[1]:,} open loans)",
            name="Open loans overdue",
            line={"color": NEUTRAL},
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=data.month_end, y=data.open_overdue_amount, name="Overdue amount", marker_color=LIGHT_NEUTRAL
        ),
        row=2,
        col=1,
    )
    figure.update_yaxes(tickformat=".0%", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(rangemode="tozero", row=2, col=1)
    figure.update_layout(showlegend=False)
    latest = data.iloc[-1]
    previous = data.iloc[-2] if len(data) > 1 else latest
    sentence = (
        f"At {latest.month_end:%Y-%m-%d}, {latest.share_of_open_loans_overdue:.1%} of "
        f"{latest.open_loans:,} open loans were overdue ({latest.open_overdue_amount:,.0f}), against "
        f"{previous.share_of_open_loans_overdue:.1%} of {previous.open_loans:,} a month before."
    )
    recent = data.tail(4)
    if len(recent) > 1:
        counts = " → ".join(f"{count:,}" for count in recent.open_overdue_loans)
        sentence += (
            f" Overdue open loans went {counts} over the last {len(recent) - 1} month ends; on the bundled "
            "synthetic sample that ramp comes from its generator, which puts each open loan's missed "
            "instalments just before the as-of date (a loan 3 instalments behind was current 3 months "
            "earlier), not from a worsening book."
        )
    small = data[data.open_loans < 100]
    if not small.empty:
        sentence += f" Months with under 100 open loans ({len(small)}) swing on a few loans."
    return titled(figure, f"Monthly risk trend, last {len(data)} month ends", height=520), sentence


def repayment_segments(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        go.Bar(
            x=data.repayment_segment,
            y=data.loans,
            marker_color=[REPAYMENT_COLORS.get(segment, NEUTRAL) for segment in data.repayment_segment],
            text=[f"{share:.0%}" for share in data.share_of_loans],
            customdata=data.mean_repayment_score,
            hovertemplate="%{x}: %{y:,} loans, mean repayment score %{customdata:.1f}",
        )
    )
    figure.update_xaxes(title="Repayment segment")
    figure.update_yaxes(title="Ledger loans (count)")
    parts = [
        f"{row.repayment_segment} {row.share_of_loans:.0%} (mean score {row.mean_repayment_score:.0f})"
        for row in data.itertuples()
    ]
    sentence = (
        "Ledger loans by segment, resolved loans included (the ledger measures them against their "
        "whole plan): " + ", ".join(parts) + "."
    )
    return titled(figure, "Repayment segments"), sentence


def payment_gap(data: pd.DataFrame) -> tuple[go.Figure, str]:
    row = data.iloc[0]
    shown = data[(data.payment_gap >= row.gap_p2_5) & (data.payment_gap <= row.gap_p97_5)]
    figure = go.Figure(go.Histogram(x=shown.payment_gap, nbinsx=60, marker_color=NEUTRAL))
    figure.update_xaxes(title="Planned minus paid to date (positive = behind plan)")
    figure.update_yaxes(title="Ledger loans (count)")
    sentence = (
        f"Of {int(row.ledger_loans):,} ledger loans, {row.share_behind:.0%} had paid less than planned by "
        f"the as-of date and {row.share_ahead:.0%} more; the median gap is {row.median_gap:,.0f}. The chart "
        f"shows the middle 95% ({row.gap_p2_5:,.0f} to {row.gap_p97_5:,.0f}); the few loans beyond would "
        "stretch it."
    )
    return titled(figure, "Planned vs actual payments"), sentence
