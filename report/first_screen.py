"""The first screen and the other HTML blocks: KPIs with their change, the model box, the red banner, the work
queue and the loan file vs ledger reconciliation, each from an rpt_ model's rows."""

import html
import json

import pandas as pd

from report.style import collector_words, label
from report.tables import cell, sortable_head

# The rpt_ models these blocks draw, with their row order (the trend's last row is the as-of month end).
KPIS = ("rpt_portfolio_kpis", "")
OPEN_BOOK = ("rpt_open_book", "")
MODEL_BOX = ("rpt_model_box", "")
WORK_QUEUE = ("rpt_work_queue", "queue_rank")
TREND = ("rpt_monthly_risk_trend", "month_end")
RECONCILIATION = ("rpt_active_reconciliation", "loan_file_state, ledger_state")
LOAN_REASONS = ("rpt_loan_reasons", "loan_id, reason_rank")
MODELS = tuple(
    model for model, _ in (KPIS, OPEN_BOOK, MODEL_BOX, WORK_QUEUE, TREND, RECONCILIATION, LOAN_REASONS)
)


def _change(now: float, before: float | None, fmt, when) -> str:
    if before is None or pd.isna(before):
        return '<span class="change">no earlier month end</span>'
    delta = now - before
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    return f'<span class="change">{sign}{fmt(abs(delta))} since {when:%Y-%m-%d}</span>'


def compact(amount: float) -> str:
    """An amount short enough for a card at any size: 15.1M, 72.7M, 1.2B, 950k, 812."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= size:
            return f"{amount / size:.1f}{suffix}"
    return f"{amount:,.0f}"


def _amount(amount: float) -> str:
    """A card's amount: compact, with the exact figure on hover (and read out by screen readers)."""
    exact = f"{amount:,.0f} in the loan file's currency"
    return f'<abbr title="{exact}" aria-label="{exact}">{compact(amount)}</abbr>'


def _available(value, fmt) -> str:
    """A figure formatted by fmt, or "not available" when the loan file lacks the columns it needs."""
    return "not available" if pd.isna(value) else fmt(value)


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
            _available(book.overdue_loans, "{:,.0f}".format),
            '<span class="change">'
            f"{_available(book.overdue_loans / max(book.active_loans, 1), '{:.0%}'.format)} of open</span>",
        ),
        _tile(
            "Expected loss, open loans",
            _available(book.open_expected_loss, _amount),
            f'<span class="change">{_available(row.expected_loss, compact)} all loans</span>',
        ),
        _tile(
            '<abbr title="Non-performing assets">NPA</abbr> ratio',
            _available(row.npa_ratio, "{:.1%}".format),
            '<span class="change">of outstanding, see below</span>',
        ),
        _tile(
            "Repaid",
            _available(row.recovery_rate, "{:.1%}".format),
            '<span class="change">of the amount disbursed</span>',
        ),
    ]
    if trend is not None and not trend.empty:
        latest = trend.iloc[-1]
        when = latest.previous_month_end
        tiles[0] = _tile(
            "Open loans",
            f"{book.active_loans:,}",
            _change(latest.open_loans, latest.previous_open_loans, "{:,.0f}".format, when),
        )
        tiles[1] = _tile(
            "Overdue open loans",
            f"{book.overdue_loans:,}",
            _change(latest.open_overdue_loans, latest.previous_open_overdue_loans, "{:,.0f}".format, when),
        )
        tiles.insert(
            2,
            _tile(
                "Overdue amount (ledger)",
                _amount(latest.open_overdue_amount),
                _change(latest.open_overdue_amount, latest.previous_open_overdue_amount, compact, when),
            ),
        )
    return '<div class="kpis">' + "".join(tiles) + "</div>"


def terms(row: pd.Series) -> str:
    """What the first screen's terms mean, said once under the cards."""
    return (
        '<dl class="terms"><dt>NPA (non-performing asset)</dt><dd>a loan more than '
        f"{row.npa_min_days_past_due - 1:.0f} days past due; the NPA ratio is their outstanding over the "
        "outstanding of every loan in the loan file, closed ones included.</dd><dt>Overdue</dt><dd>open and "
        "at "
        "least a day past due.</dd><dt>Expected loss</dt><dd>the chance a loan is not repaid x what would be "
        "lost.</dd></dl>"
    )


def model_box(row: pd.Series | None) -> str:
    if row is None:
        return '<div class="model-box"><b>Risk model</b><br>No model run in this warehouse.</div>'
    verdict = "yes" if row.is_score_predictive else "no: do not act on it"
    if pd.isna(row.get("max_population_stability_index")):
        drift = "not measured (the model scored no loan itself)"
    elif row.has_drifted_inputs:
        drift = (
            "<b>yes</b>: today's loans differ from those it learnt from, most in "
            f"{html.escape(label(row.most_drifted_variable).lower())}, stability index "
            f"{row.max_population_stability_index:.2f}: its scores may be off"
        )
    else:
        drift = "no: today's loans look like those it learnt from"
    return (
        f'<div class="model-box {"ok" if row.is_score_predictive else "bad"}">'
        "<b>Risk score</b>: the chance, from 0 to 1, that a loan will not be fully repaid.<br>"
        f"How well it ranks loans: <b>{row.cv_roc_auc:.2f}</b>{_interval(row)} on a scale where 0.50 is a "
        "coin "
        f"toss and 1.00 perfect (trusted from {row.min_predictive_auc:.2f}).<br>"
        f"Tested by {row.cv_folds:.0f}-fold cross-validation on {row.n_evaluation_rows:,} loans whose "
        "outcome is known: each loan scored by a model that had not seen it.<br>"
        f"Fitted {row.fitted_at:%Y-%m-%d}. Inputs drifted: {drift}.<br>"
        f"{_left_out(row)}"
        f"Fit to act on: <b>{verdict}</b></div>"
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
    return "" if pd.isna(low) or pd.isna(high) else f" (95% interval {low:.2f}-{high:.2f})"


def banner(row: pd.Series | None) -> str:
    """The red banner over every strategy section when the score behind strategy does not predict recovery."""
    if row is not None and row.is_score_predictive:
        return ""
    auc = (
        ""
        if row is None
        else f" (it ranks loans at {row.cv_roc_auc:.2f}{_interval(row)}, where 0.50 is a coin toss)"
    )
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
    # the plan's action (collection_plan) and the team that works it
    ("recommended_action_name", "Action", "{}"),
    ("team", "Team", "{}"),
)


def _reasons_in_words(reasons: pd.DataFrame | None) -> dict[str, tuple[str, str]]:
    """Per loan, its reasons as a collector says them and the model inputs behind them (for analysts)."""
    if reasons is None:
        return {}
    said = {}
    for loan_id, rows in reasons.groupby("loan_id", sort=False):
        # Two inputs can say the same thing (no collateral: its value and coverage are both 0): say it once.
        words = "; ".join(dict.fromkeys(collector_words(r.reason, r.reason_value) for r in rows.itertuples()))
        said[loan_id] = (words, "Model inputs: " + ", ".join(rows.reason))
    return said


def work_queue(data: pd.DataFrame, reasons: pd.DataFrame | None = None) -> str:
    """The sortable table of today's work queue (sorting: a heading's button, see SORT_SCRIPT); reasons in a
    collector's words where rpt_loan_reasons is built, the model inputs on hover."""
    if data.empty:
        return '<p class="missing">No open loans: nothing to work today.</p>'
    said = _reasons_in_words(reasons)
    head = sortable_head([(title, fmt != "{}") for _, title, fmt in QUEUE_COLUMNS])
    rows = []
    for row in data.itertuples():
        cells = []
        for field, _, fmt in QUEUE_COLUMNS:
            value = getattr(row, field)
            title = ""
            if field == "reasons" and row.loan_id in said:
                text, title = said[row.loan_id]
            elif field == "reasons":
                text = ", ".join(label(reason.strip()) for reason in str(value).split(",") if reason.strip())
            else:
                text = fmt.format(value)
            cells.append(cell(value, text, title=title))
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
        f'<div class="queue"><table class="sortable">{head}'
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
