"""Charts of the outlook: expected loss under the stress scenarios, and the early-warning list."""

import pandas as pd
import plotly.graph_objects as go

from report.style import BAND_COLORS, GREY, label, titled

# One colour per loan type, neither good nor bad: the bars' height is the message.
LOAN_TYPE_COLORS = {"Home": "#1f5f8b", "Auto": "#4f8fba", "Business": "#6a1b9a", "Personal": "#a77cc7"}


def stress_results(data: pd.DataFrame) -> tuple[go.Figure, str]:
    data = data.sort_values(["scenario_order", "loan_type"])
    scenarios = data.drop_duplicates("scenario")
    figure = go.Figure(
        [
            go.Bar(
                x=rows.scenario,
                y=rows.expected_loss,
                name=loan_type,
                marker_color=LOAN_TYPE_COLORS.get(loan_type, GREY),
                customdata=rows[["expected_loss_change", "open_loans"]],
                hovertemplate=(
                    f"{loan_type}: expected loss %{{y:,.0f}} "
                    "(%{customdata[0]:+,.0f} against the baseline), %{customdata[1]:,} open loans"
                ),
            )
            for loan_type, rows in data.groupby("loan_type", sort=True)
        ]
    )
    figure.add_trace(
        go.Scatter(
            x=scenarios.scenario,
            y=scenarios.scenario_expected_loss,
            mode="text",
            text=[f"{change:+,.0f}" for change in scenarios.scenario_expected_loss_change],
            textposition="top center",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.2, "title": label("loan_type")})
    figure.update_xaxes(title="Scenario (the what-if is the var what_if)", categoryorder="array")
    figure.update_yaxes(title="Expected loss on open loans", rangemode="tozero")
    seeded = scenarios[~scenarios.is_what_if]
    baseline, worst = seeded.iloc[0], seeded.iloc[-1]
    sentence = (
        f"Under {worst.scenario} the open book would lose {worst.scenario_expected_loss:,.0f}, "
        f"{worst.scenario_expected_loss_change:+,.0f} against {baseline.scenario} "
        f"({worst.scenario_expected_loss_change / baseline.scenario_expected_loss:+.0%}); "
        f"{worst.scenario_expected_defaults:,.0f} loans would be expected to default "
        f"(baseline {baseline.scenario_expected_defaults:,.0f}) and the NPA ratio would reach "
        f"{worst.scenario_npa_ratio:.1%} (baseline {baseline.scenario_npa_ratio:.1%})."
    )
    what_if = scenarios[scenarios.is_what_if]
    if not what_if.empty:
        change = what_if.iloc[0].scenario_expected_loss_change
        sentence += (
            " The what-if changes nothing (var what_if is empty)."
            if change == 0
            else f" The what-if moves expected loss by {change:+,.0f}."
        )
    return titled(figure, "Expected loss by stress scenario", height=480), sentence


def early_warning(data: pd.DataFrame) -> tuple[go.Figure, str]:
    # A bar per listed loan (its risk score), the reasons written on it: a list that reads top down.
    loans = [f"#{row.warning_rank} {row.loan_id}" for row in data.itertuples()]
    figure = go.Figure(
        go.Bar(
            y=loans,
            x=data.risk_score,
            orientation="h",
            marker_color=[BAND_COLORS.get(band, GREY) for band in data.risk_band],
            text=data.warning_reasons,
            textposition="inside",
            insidetextanchor="start",
            customdata=data[
                ["risk_score_rise", "days_past_due", "outstanding_loan_amount", "recommended_action"]
            ],
            hovertemplate=(
                "%{y}: score %{x:.2f} (%{customdata[0]:+.2f}), %{customdata[1]} days past due, "
                "outstanding %{customdata[2]:,.0f}, action %{customdata[3]}<br>%{text}<extra></extra>"
            ),
        )
    )
    figure.update_xaxes(title="Risk score now (bar colour: risk band)", range=[0, 1])
    figure.update_yaxes(categoryorder="array", categoryarray=loans[::-1])
    sentence = (
        f"{data.listed_loans.iloc[0]:,} open loans that are current or only a little past due show rising "
        f"risk; here are the first {len(data)}, most signals and highest score first, each with why."
    )
    return titled(
        figure, "Early warning: current loans whose risk is rising", height=120 + 26 * len(data)
    ), sentence
