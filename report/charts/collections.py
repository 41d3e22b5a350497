"""Charts of the collection plan: open loans per team by why they got their action."""

import pandas as pd
import plotly.graph_objects as go

from report.style import NO_TEAM, REASON_COLORS, label, titled


def plan_by_team(data: pd.DataFrame) -> tuple[go.Figure, str]:
    # Monitoring is no team's work: its loans are counted in the sentence, not drawn as the largest "team".
    left_alone = data[data.team == NO_TEAM]
    data = data[data.team != NO_TEAM]
    teams = data.sort_values("team_order").team.drop_duplicates().tolist()
    figure = go.Figure(
        [
            go.Bar(
                y=rows.team,
                x=rows.loans,
                orientation="h",
                name=reason,
                marker_color=color,
                customdata=rows.value_over_no_action,
                hovertemplate="%{y}: %{x:,} open loans, value over no action %{customdata:,.0f}",
            )
            for reason, color in REASON_COLORS.items()
            for rows in [data[data.assignment_reason == reason]]
        ]
    )
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.25})
    figure.update_xaxes(title="Open loans (count)", rangemode="tozero")
    figure.update_yaxes(title=label("team"), categoryorder="array", categoryarray=teams[::-1])
    bumped = data[data.assignment_reason == "next best: capacity ran out"]
    sentence = (
        f"The plan gives {data.loans.sum():,} open loans to a team, worth "
        f"{data.value_over_no_action.sum():,.0f} more than doing nothing; "
        f"{bumped.loans.sum():,} got their next best action because the best one was full. "
        f"{left_alone.loans.sum():,} open loans need no work this period (monitoring only)."
    )
    return titled(figure, "Collection plan by team", height=420), sentence
