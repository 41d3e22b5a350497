"""The collections decisioning blocks: each team's work queue (collection_plan) and the champion/challenger
scoreboard (experiment_results), as HTML tables from their rpt_ models."""

import html

import pandas as pd

from report.style import ARM_COLORS, GREY, REASON_COLORS, team_name
from report.tables import cell, sortable_head

# The rpt_ models these blocks draw, with their row order.
TEAM_QUEUES = ("rpt_collection_queues", "team, team_rank")
SCOREBOARD = ("rpt_experiment_scoreboard", "experiment_id, arm desc")
TEAM_CAPACITY = ("rpt_team_capacity", "team_order")
MODELS = (TEAM_QUEUES[0], SCOREBOARD[0], TEAM_CAPACITY[0])


def team_capacity(data: pd.DataFrame) -> str:
    """Each team's capacity this period, used and left, beside the plan; monitoring is no team's work."""
    if data.empty:
        return '<p class="missing">No team in seed collection_actions.</p>'
    rows, full = [], []
    for row in data.itertuples():
        if row.is_no_work:
            rows.append(
                f"<tr><td>{html.escape(team_name(row.team))}</td><td>{row.loans_assigned:,}</td>"
                '<td colspan="2">no work: these loans are left alone this period</td></tr>'
            )
            continue
        if pd.isna(row.capacity):
            used, left = f"{row.loans_assigned:,}", "no limit"
        else:
            used = f"{row.loans_assigned:,} of {row.capacity:,.0f} ({row.share_of_capacity_used:.0%})"
            left = f"{row.capacity_left:,.0f}"
            if row.capacity_left == 0:
                full.append(row.team)
        rows.append(
            f"<tr><td>{html.escape(row.team)}</td><td>{used}</td><td>{left}</td>"
            f"<td>{'full' if row.team in full else ''}</td></tr>"
        )
    sentence = (
        f"{len(full)} of {int((~data.is_no_work & data.capacity.notna()).sum())} teams with a limit are full "
        f"this period ({', '.join(full) or 'none'}): more loans would be worth their work than they can take."
    )
    return (
        f'<p class="finding">{html.escape(sentence)}</p><table class="plain"><thead><tr><th scope="col">Team'
        '</th><th scope="col">Loans this period (of capacity)</th><th scope="col">Capacity left</th>'
        f'<th scope="col"></th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


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


def team_queues(data: pd.DataFrame) -> str:
    """One sortable table of every team's first loans, with why each loan got its action."""
    if data.empty:
        return '<p class="missing">No open loan needs a team this period.</p>'
    head = sortable_head([(title, fmt != "{}") for _, title, fmt in TEAM_QUEUE_COLUMNS])
    rows = []
    for row in data.itertuples():
        cells = []
        for field, _, fmt in TEAM_QUEUE_COLUMNS:
            value = getattr(row, field)
            text = team_name(value) if field == "team" else fmt.format(value)
            if field == "assignment_reason" and value != "best value":
                text += f" (best: {row.best_action_name})"
            color = REASON_COLORS.get(value) if field == "assignment_reason" else None
            cells.append(cell(value, text, color))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    sizes = data.drop_duplicates("team")
    sentence = (
        "Each team's first loans by value over no action: "
        + "; ".join(f"{team_name(row.team)} {row.team_loans:,} loans" for row in sizes.itertuples())
        + "."
    )
    return (
        f'<p class="finding">{html.escape(sentence)}</p>'
        f'<div class="queue"><table class="sortable">{head}'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def scoreboard(data: pd.DataFrame) -> str:
    """Per experiment, the arms side by side and the conclusion in words."""
    if data.empty:
        return (
            '<p class="missing">No champion/challenger experiment is running, so there is nothing to compare '
            "yet; the analytics team starts one (docs/decisioning.md).</p>"
        )
    head = sortable_head(
        [
            ("Experiment", False),
            ("Arm", False),
            ("Policy", False),
            ("Loans", True),
            ("Recovered per loan", True),
            ("Recovered / exposure", True),
            ("Cure rate", True),
            ("Cost", True),
            ("Net value per loan", True),
        ]
    )
    rows, findings = [], []
    for row in data.itertuples():
        cure = "-" if pd.isna(row.cure_rate) else f"{row.cure_rate:.0%}"
        share = "-" if pd.isna(row.recovered_per_unit_exposure) else f"{row.recovered_per_unit_exposure:.2%}"
        cells = [
            cell(row.experiment_id, row.experiment_id),
            cell(row.arm, row.arm, ARM_COLORS[row.arm]),
            cell(row.arm_policy, row.arm_policy),
            cell(row.loans, f"{row.loans:,}"),
            cell(row.recovered_per_loan, f"{row.recovered_per_loan:,.0f}"),
            cell(row.recovered_per_unit_exposure, share),
            cell(0 if pd.isna(row.cure_rate) else row.cure_rate, cure),
            cell(row.total_cost, f"{row.total_cost:,.0f}"),
            cell(row.net_value_per_loan, f"{row.net_value_per_loan:,.0f}"),
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
        + f'<div class="queue"><table class="sortable">{head}<tbody>{"".join(rows)}</tbody></table></div>'
    )
