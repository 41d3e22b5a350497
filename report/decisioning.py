"""The collections decisioning blocks: each team's work queue (collection_plan) and the champion/challenger
scoreboard (experiment_results), as HTML tables from their rpt_ models."""

import html

import pandas as pd

from report.style import ARM_COLORS, GREY, REASON_COLORS

# The rpt_ models these blocks draw, with their row order.
TEAM_QUEUES = ("rpt_collection_queues", "team, team_rank")
SCOREBOARD = ("rpt_experiment_scoreboard", "experiment_id, arm desc")
MODELS = (TEAM_QUEUES[0], SCOREBOARD[0])

TEAM_QUEUE_COLUMNS = (
    ("team", "Team", "{}"),
    ("team_rank", "#", "{:d}"),
    ("loan_id", "Loan", "{}"),
    ("action_name", "Action", "{}"),
    ("value_over_no_action", "Value over no action", "{:,.0f}"),
    ("days_past_due", "Days past due", "{:d}"),
    ("exposure_at_default", "Outstanding", "{:,.0f}"),
    ("risk_band", "Band", "{}"),
    ("assignment_reason", "Why", "{}"),
)


def _cell(value, text: str, color: str | None = None) -> str:
    sort = value if isinstance(value, str) else f"{float(value):.6f}"
    style = f' style="color:{color};font-weight:600"' if color else ""
    return f'<td data-sort="{html.escape(str(sort))}"{style}>{html.escape(text)}</td>'


def team_queues(data: pd.DataFrame) -> str:
    """One sortable table of every team's first loans, with why each loan got its action."""
    if data.empty:
        return '<p class="missing">No open loan needs a team this period.</p>'
    head = "".join(
        f'<th data-col="{i}" title="Sort">{title}</th>' for i, (_, title, _) in enumerate(TEAM_QUEUE_COLUMNS)
    )
    rows = []
    for row in data.itertuples():
        cells = []
        for field, _, fmt in TEAM_QUEUE_COLUMNS:
            value = getattr(row, field)
            text = fmt.format(value)
            if field == "assignment_reason" and value != "best value":
                text += f" (best: {row.best_action_name})"
            color = REASON_COLORS.get(value) if field == "assignment_reason" else None
            cells.append(_cell(value, text, color))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    sizes = data.drop_duplicates("team")
    sentence = (
        "Each team's first loans by value over no action: "
        + "; ".join(f"{row.team} {row.team_loans:,} loans" for row in sizes.itertuples())
        + "."
    )
    return (
        f'<p class="finding">{html.escape(sentence)}</p>'
        f'<div class="queue"><table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def scoreboard(data: pd.DataFrame) -> str:
    """Per experiment, the arms side by side and the conclusion in words."""
    if data.empty:
        return (
            '<p class="missing">No experiment has run: set the var experiment_id to start one '
            "(README, Decisioning).</p>"
        )
    titles = [
        "Experiment",
        "Arm",
        "Policy",
        "Loans",
        "Recovered per loan",
        "Recovered / exposure",
        "Cure rate",
    ]
    titles += ["Cost", "Net value per loan"]
    head = "".join(f'<th data-col="{i}" title="Sort">{title}</th>' for i, title in enumerate(titles))
    rows, findings = [], []
    for row in data.itertuples():
        cure = "-" if pd.isna(row.cure_rate) else f"{row.cure_rate:.0%}"
        share = "-" if pd.isna(row.recovered_per_unit_exposure) else f"{row.recovered_per_unit_exposure:.2%}"
        cells = [
            _cell(row.experiment_id, row.experiment_id),
            _cell(row.arm, row.arm, ARM_COLORS[row.arm]),
            _cell(row.arm_policy, row.arm_policy),
            _cell(row.loans, f"{row.loans:,}"),
            _cell(row.recovered_per_loan, f"{row.recovered_per_loan:,.0f}"),
            _cell(row.recovered_per_unit_exposure, share),
            _cell(0 if pd.isna(row.cure_rate) else row.cure_rate, cure),
            _cell(row.total_cost, f"{row.total_cost:,.0f}"),
            _cell(row.net_value_per_loan, f"{row.net_value_per_loan:,.0f}"),
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    for row in data.drop_duplicates("experiment_id").itertuples():
        interval = (
            ""
            if pd.isna(row.difference_ci_low)
            else f" Challenger - champion: {row.net_value_difference:,.0f} per loan, 95% interval "
            f"{row.difference_ci_low:,.0f} to {row.difference_ci_high:,.0f}."
        )
        color = "inherit" if row.is_conclusive else GREY
        findings.append(
            f'<p class="finding" style="color:{color}">{html.escape(row.experiment_id)} '
            f"({row.measured_from:%Y-%m-%d} to {row.measured_to:%Y-%m-%d}): "
            f"{html.escape(row.conclusion)}.{html.escape(interval)}</p>"
        )
    return (
        "".join(findings)
        + f'<table class="sortable"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'
    )
