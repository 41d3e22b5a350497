"""The first screen and the other HTML blocks: KPIs with their change, the model box, the red banner, the work
queue and the loan file vs ledger reconciliation, each from an rpt_ model's rows."""

import html
import json

import pandas as pd

from report.style import label

# The rpt_ models these blocks draw, with their row order (the trend's last row is the as-of month end).
KPIS = ("rpt_portfolio_kpis", "")
OPEN_BOOK = ("rpt_open_book", "")
MODEL_BOX = ("rpt_model_box", "")
WORK_QUEUE = ("rpt_work_queue", "queue_rank")
TREND = ("rpt_monthly_risk_trend", "month_end")
RECONCILIATION = ("rpt_active_reconciliation", "loan_file_state, ledger_state")
MODELS = tuple(model for model, _ in (KPIS, OPEN_BOOK, MODEL_BOX, WORK_QUEUE, TREND, RECONCILIATION))


def _change(now: float, before: float | None, fmt: str, when) -> str:
    if before is None or pd.isna(before):
        return '<span class="change">no earlier month end</span>'
    delta = now - before
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f'<span class="change">{sign}{fmt.format(abs(delta))} since {when:%Y-%m-%d}</span>'


def _available(value, fmt: str) -> str:
    """A figure, or "not available" when the loan file lacks the columns it needs (empty in the warehouse)."""
    return "not available" if pd.isna(value) else fmt.format(value)


def _tile(title: str, value: str, change: str = "") -> str:
    return (
        f'<div class="kpi"><div class="kpi-title">{title}</div>'
        f'<div class="kpi-value">{value}</div>{change}</div>'
    )


def kpis(row: pd.Series, book: pd.Series, trend: pd.DataFrame | None) -> str:
    """KPI tiles: the loan file's book now; with a ledger, open and overdue loans' change in a month."""
    tiles = [
        _tile(
            "Open loans",
            f"{book.active_loans:,}",
            '<span class="change">no monthly history without a ledger</span>',
        ),
        _tile(
            "Overdue open loans",
            _available(book.overdue_loans, "{:,.0f}"),
            f'<span class="change">{_available(book.overdue_loans / max(book.active_loans, 1), "{:.0%}")}'
            " of open</span>",
        ),
        _tile(
            "Expected loss, open loans",
            _available(book.open_expected_loss, "{:,.0f}"),
            f'<span class="change">{_available(row.expected_loss, "{:,.0f}")} all loans</span>',
        ),
        _tile("NPA ratio", _available(row.npa_ratio, "{:.1%}"), '<span class="change">of outstanding</span>'),
        _tile(
            "Repaid",
            _available(row.recovery_rate, "{:.1%}"),
            '<span class="change">of the amount disbursed</span>',
        ),
    ]
    if trend is not None and not trend.empty:
        latest = trend.iloc[-1]
        when = latest.previous_month_end
        tiles[0] = _tile(
            "Open loans",
            f"{book.active_loans:,}",
            _change(latest.open_loans, latest.previous_open_loans, "{:,.0f}", when),
        )
        tiles[1] = _tile(
            "Overdue open loans",
            f"{book.overdue_loans:,}",
            _change(latest.open_overdue_loans, latest.previous_open_overdue_loans, "{:,.0f}", when),
        )
        tiles.insert(
            2,
            _tile(
                "Overdue amount (ledger)",
                f"{latest.open_overdue_amount:,.0f}",
                _change(latest.open_overdue_amount, latest.previous_open_overdue_amount, "{:,.0f}", when),
            ),
        )
    return '<div class="kpis">' + "".join(tiles) + "</div>"


def model_box(row: pd.Series | None) -> str:
    if row is None:
        return '<div class="model-box"><b>Risk model</b><br>No model run in this warehouse.</div>'
    verdict = "yes" if row.is_score_predictive else "no"
    return (
        f'<div class="model-box {"ok" if row.is_score_predictive else "bad"}">'
        f"<b>Risk model</b> ({html.escape(row.algorithm)})<br>"
        f"Cross-validated AUC <b>{row.cv_roc_auc:.2f}</b>{_interval(row)} "
        f"(0.50 = chance; predictive when the interval starts at {row.min_predictive_auc:.2f} or above)<br>"
        f"Learnt from <b>{row.n_training_rows:,}</b> resolved loans, tested on {row.n_evaluation_rows:,}<br>"
        f"{_left_out(row)}"
        f"Predictive: <b>{verdict}</b></div>"
    )


def _left_out(row: pd.Series) -> str:
    """The features the model could not use, because the loan file lacks their columns."""
    left_out = json.loads(row.get("features_left_out") or "[]")
    if not left_out:
        return ""
    names = ", ".join(label(name) for name in left_out)
    return f"Not available in the loan file, so not used: {html.escape(names)}<br>"


def _interval(row: pd.Series) -> str:
    low, high = row.get("cv_roc_auc_ci_low"), row.get("cv_roc_auc_ci_high")
    return "" if pd.isna(low) or pd.isna(high) else f", 95% interval {low:.2f}-{high:.2f}"


def banner(row: pd.Series | None) -> str:
    """The red banner over every strategy section when the score behind strategy does not predict recovery."""
    if row is not None and row.is_score_predictive:
        return ""
    auc = "" if row is None else f" (cross-validated AUC {row.cv_roc_auc:.2f}{_interval(row)})"
    return (
        '<div class="not-predictive" role="alert">The risk score is not predictive'
        f"{html.escape(auc)}: its bands and strategies are no better than chance. Do not act on them; "
        "work loans by days past due and outstanding amount.</div>"
    )


QUEUE_COLUMNS = (
    ("queue_rank", "#", "{:d}"),
    ("loan_id", "Loan", "{}"),
    ("expected_loss", "Expected loss", "{:,.0f}"),
    ("days_past_due", "Days past due", "{:d}"),
    ("outstanding_loan_amount", "Outstanding", "{:,.0f}"),
    ("risk_score", "Score", "{:.2f}"),
    ("reasons", "Reasons", "{}"),
    ("recommended_action_name", "Action", "{}"),
    ("team", "Team", "{}"),
)


def work_queue(data: pd.DataFrame) -> str:
    """The sortable table of today's work queue (sorting: a click on a column heading, see SORT_SCRIPT)."""
    if data.empty:
        return '<p class="missing">No open loans: nothing to work today.</p>'
    head = "".join(
        f'<th data-col="{i}" title="Sort">{title}</th>' for i, (_, title, _) in enumerate(QUEUE_COLUMNS)
    )
    rows = []
    for row in data.itertuples():
        cells = []
        for field, _, fmt in QUEUE_COLUMNS:
            value = getattr(row, field)
            if field == "reasons":
                text = ", ".join(label(reason.strip()) for reason in str(value).split(",") if reason.strip())
            else:
                text = fmt.format(value)
            sort = value if isinstance(value, str) else f"{float(value):.6f}"
            cells.append(f'<td data-sort="{html.escape(str(sort))}">{html.escape(text)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    first = data.iloc[0]
    sentence = (
        f"Work these {len(data)} of {first.open_loans:,} open loans first: they carry "
        f"{first.queue_share_of_open_expected_loss:.0%} of the expected loss on open loans. Start with "
        f"{first.loan_id} ({first.days_past_due} days past due, "
        f"{first.outstanding_loan_amount:,.0f} outstanding, score {first.risk_score:.2f})."
    )
    return (
        f'<p class="finding">{html.escape(sentence)}</p>'
        f'<div class="queue"><table class="sortable"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def reconciliation(data: pd.DataFrame, book: pd.Series) -> str:
    """Where the loan file and the ledger disagree on active or overdue loans: how many loans and why."""
    parts = []
    for row in data.itertuples():
        if row.disagreement_reason:
            parts.append(
                f"{row.loans:,} loans are {row.loan_file_state.lower()} in the loan file and "
                f"{row.ledger_state.lower()} in the ledger: {row.disagreement_reason}."
            )
    overdue = int(data.overdue_disagreements.sum())
    if overdue:
        parts.append(
            f"{overdue:,} loans are overdue in one source and not the other: their days past due differ."
        )
    agreed = (
        f"Both sources count active loans as those without an outcome by {book.as_of_date:%Y-%m-%d} and "
        "overdue ones as active and at least a day past due."
    )
    if not parts:
        parts.append(
            f"They agree: {book.active_loans:,} active loans, {book.overdue_loans:,} of them overdue."
        )
    return f'<p class="finding">{html.escape(agreed + " " + " ".join(parts))}</p>'
