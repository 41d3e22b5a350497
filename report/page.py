"""Assembles the report page: the first screen (KPIs, model box, work queue), then the charts by group, each
drawn when scrolled into view; plotly.js is inlined once, compressed, after the content; no request leaves the
page. One layout for a laptop, a phone and paper."""

import base64
import gzip
import html
import json
from pathlib import Path

import duckdb
import plotly.offline

from report import decisioning, first_screen
from report.sections import GROUPS, SECTIONS, Section
from report.warehouse import existing_models, read_model

# No mode bar: its ~10 buttons a chart would put about 160 stops in the keyboard's Tab order; hover still
# reads values.
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "displayModeBar": False}
# The printable width of an A4 or Letter page at 96 px an inch, less the margins: charts are drawn this wide
# before printing so that none is cut at the right edge.
PRINT_WIDTH_PX = 680
STYLE = """
html { font-size: 16px; }
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1280px; padding: 0 1.5rem 2rem;
       color: #222; line-height: 1.4; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 0.5rem; top: 0.5rem; z-index: 20; background: #fff; padding: 0.4rem 0.6rem;
              border: 2px solid #1f5f8b; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.2rem 1rem; margin: 0.6rem 0 0.3rem; }
h1 { font-size: 1.35rem; margin: 0; }
header .as-of { font-size: 1.05rem; }
header .note { color: #555; font-size: 0.875rem; }
nav { border-bottom: 1px solid #ddd; padding: 0.3rem 0; font-size: 0.875rem; }
nav summary { cursor: pointer; color: #555; font-weight: 600; }
nav .groups { display: flex; flex-wrap: wrap; gap: 0.1rem 1.2rem; }
nav .group b { margin-right: 0.4rem; color: #555; }
nav a { margin-right: 0.5rem; white-space: nowrap; color: #1f5f8b; display: inline-block; }
.top { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: stretch; margin: 0.5rem 0; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(8rem, 1fr)); gap: 0.4rem;
        flex: 3 1 36rem; align-self: start; }
.kpi { border: 1px solid #ddd; border-radius: 6px; padding: 0.35rem 0.6rem; min-width: 0; }
.kpi-title { font-size: 0.875rem; color: #555; }
.kpi-value { font-size: 1.25rem; font-weight: 600; white-space: nowrap; }
.kpi-value abbr { text-decoration: none; }
.change { font-size: 0.875rem; color: #555; }
.model-box { border: 2px solid #1f5f8b; border-radius: 6px; padding: 0.35rem 0.6rem; font-size: 0.875rem;
             flex: 1 1 17rem; }
.model-box.bad { border-color: #c62828; }
.not-predictive { background: #c62828; color: #fff; font-weight: 600; padding: 0.5rem 0.8rem;
                  border-radius: 4px; margin: 0.4rem 0; }
section { border-top: 1px solid #ddd; padding: 0.6rem 0; scroll-margin-top: 0.5rem; }
h2 { font-size: 1.1rem; margin: 0.2rem 0; }
h2.group { font-size: 1.25rem; border-bottom: 3px solid #1f5f8b; margin-top: 1.2rem; }
p.question { color: #555; margin: 0.1rem 0; font-style: italic; }
p.finding { font-size: 1rem; margin: 0.25rem 0 0.5rem; }
p.missing { color: #666; font-style: italic; }
dl.terms { font-size: 0.875rem; margin: 0.3rem 0; }
dl.terms dt { font-weight: 600; display: inline; }
dl.terms dd { display: inline; margin: 0 1rem 0 0.3rem; }
.queue { max-height: 24rem; overflow: auto; }
table.sortable { border-collapse: collapse; font-size: 0.875rem; width: 100%; }
table.sortable th { position: sticky; top: 0; background: #f3f5f7; text-align: left; padding: 0; }
table.sortable th button { font: inherit; font-weight: 600; border: 0; background: none; cursor: pointer;
                           padding: 0.25rem 0.4rem; text-align: left; width: 100%; color: inherit; }
table.sortable th button:focus-visible { outline: 2px solid #1f5f8b; outline-offset: -2px; }
table.sortable th .arrow { color: #1f5f8b; margin-left: 0.2rem; }
table.sortable td { border-top: 1px solid #eee; padding: 0.2rem 0.4rem; }
table.plain { border-collapse: collapse; font-size: 0.875rem; margin: 0.3rem 0; }
table.plain th, table.plain td { text-align: left; padding: 0.2rem 0.6rem; border-top: 1px solid #eee; }
.chart { width: 100%; }
@media (max-width: 700px) {
  body { padding: 0 0.6rem 1rem; }
  nav a { white-space: normal; }
}
@media print {
  nav, .skip { display: none; }
  body { max-width: none; padding: 0; }
  .queue { max-height: none; overflow: visible; }
  table.sortable th { position: static; }
  /* Chromium repeats a header of buttons on every page but blank: print it once. */
  table.sortable thead { display: table-row-group; }
  table.sortable th .arrow { display: none; }
  tr, .kpi, .model-box { break-inside: avoid; page-break-inside: avoid; }
  .chart { break-inside: avoid; page-break-inside: avoid; width: PRINT_WIDTHpx; max-width: 100%; }
  /* A chart's section (heading, question, sentence and chart) fits a page: keep it on one. */
  section:has(> .chart) { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
""".replace("PRINT_WIDTH", str(PRINT_WIDTH_PX))
# Sorts a table on its heading's button (a click, Enter or Space): amounts and other numbers largest first,
# text A to Z; the same button again reverses. aria-sort and the arrow show the direction.
SORT_SCRIPT = """
document.querySelectorAll("table.sortable th button").forEach(function (button) {
  button.addEventListener("click", function () {
    var th = button.closest("th"), table = th.closest("table"), body = table.tBodies[0];
    var col = Number(th.dataset.col), current = th.getAttribute("aria-sort");
    var first = th.dataset.first || "descending";
    var dir = current === "none" ? first : (current === "descending" ? "ascending" : "descending");
    table.querySelectorAll("th[aria-sort]").forEach(function (other) {
      other.setAttribute("aria-sort", "none");
      other.querySelector(".arrow").textContent = "\u2195";
    });
    th.setAttribute("aria-sort", dir);
    button.querySelector(".arrow").textContent = dir === "ascending" ? "\u25b2" : "\u25bc";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
      var nx = parseFloat(x), ny = parseFloat(y);
      var order = isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny;
      return dir === "ascending" ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""
# On a phone the contents start folded, so the first screen shows the figures, not a page of links.
CONTENTS_SCRIPT = """
if (window.matchMedia("(max-width: 700px)").matches) { document.getElementById("contents").open = false; }
"""
# plotly.js travels gzip-compressed (base64) and is unpacked by the browser's own DecompressionStream: the
# page is half the size with the whole library, so every chart type keeps working. Then each chart is drawn
# when it comes near the viewport, so the first screen is usable before any chart is drawn; printing draws
# them all, at the page's width.
DRAW_SCRIPT = """
(function () {
  var config = %(config)s, printWidth = %(print_width)d, ready = null;
  function plotly() {
    if (ready) { return ready; }
    var packed = document.getElementById("plotly-gzip").textContent;
    var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    ready = new Response(stream).text().then(function (code) { (0, eval)(code); });
    return ready;
  }
  function draw(div, width) {
    if (div.dataset.drawn) {
      if (width) { Plotly.relayout(div, {width: width}); }
      return;
    }
    div.dataset.drawn = "1";
    var figure = JSON.parse(document.getElementById(div.dataset.figure).textContent);
    if (width) { figure.layout.width = width; }
    return Plotly.newPlot(div, figure.data, figure.layout, config);
  }
  var charts = document.querySelectorAll("div[data-figure]");
  // A printed page shows every chart, none wider than the paper.
  window.addEventListener("beforeprint", function () {
    if (window.Plotly) { charts.forEach(function (div) { draw(div, printWidth); }); }
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (div) {
      if (div.dataset.drawn) { Plotly.relayout(div, {width: null, autosize: true}); }
    });
  });
  window.drawAllCharts = function (width) {
    return plotly().then(function () {
      return Promise.all(Array.prototype.map.call(charts, function (div) { return draw(div, width); }));
    });
  };
  plotly().then(function () {
    if (!("IntersectionObserver" in window)) { charts.forEach(function (div) { draw(div); }); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.unobserve(entry.target); draw(entry.target); }
      });
    }, {rootMargin: "200px 0px"});
    charts.forEach(function (div) { observer.observe(div); });
  });
})();
"""


def _json_in_html(text: str) -> str:
    """JSON safe inside a <script> element: no sequence there can close it."""
    return text.replace("</", "<\\/")


def render_section(
    section: Section, connection: duckdb.DuckDBPyConnection, models: set[str], banner: str
) -> str:
    """One <section>: the chart (drawn when scrolled into view) and its sentence, or why it is missing."""
    heading = (
        f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>'
        f'<p class="question">{html.escape(section.question)}</p>'
    )
    if section.is_strategy:
        heading += banner
    if section.model not in models:
        why = "built only when there is a ledger" if section.needs_ledger else "run dbt build"
        note = f"Not in this warehouse: {section.model} ({why})."
        return f'{heading}<p class="missing">{html.escape(note)}</p></section>'
    data = read_model(connection, section.model, section.order_by)
    if data.empty:
        note = f"No rows in {section.model} for this chart."
        return f'{heading}<p class="missing">{html.escape(note)}</p></section>'
    figure, sentence = section.figure(data)
    height = figure.layout.height or 480
    plot = (
        f'<div class="chart" id="chart-{section.key}" data-figure="figure-{section.key}" '
        f'style="height:{height}px"></div>'
        f'<script type="application/json" id="figure-{section.key}">'
        f"{_json_in_html(figure.to_json())}</script>"
    )
    return f'{heading}<p class="finding">{html.escape(sentence)}</p>{plot}</section>'


def _read(connection, models: set[str], model_and_order: tuple[str, str]):
    model, order_by = model_and_order
    return read_model(connection, model, order_by) if model in models else None


def render_first_screen(connection: duckdb.DuckDBPyConnection, models: set[str]) -> tuple[str, str, str]:
    """The header's as-of date, the first screen's HTML and the banner for the strategy sections."""
    kpis = _read(connection, models, first_screen.KPIS)
    boxes = _read(connection, models, first_screen.MODEL_BOX)
    box = boxes.iloc[0] if boxes is not None and not boxes.empty else None
    banner = first_screen.banner(box)
    books = _read(connection, models, first_screen.OPEN_BOOK)
    if kpis is None or kpis.empty or books is None or books.empty:
        note = "Not in this warehouse: rpt_portfolio_kpis and rpt_open_book (run dbt build)."
        return "", f'<p class="missing">{note}</p>', banner
    kpi, book = kpis.iloc[0], books.iloc[0]
    trend = _read(connection, models, first_screen.TREND)
    queue = _read(connection, models, first_screen.WORK_QUEUE)
    top = (
        f'<div class="top">{first_screen.kpis(kpi, book, trend)}{first_screen.model_box(box)}</div>'
        + first_screen.terms(kpi)
    )
    reasons = _read(connection, models, first_screen.LOAN_REASONS)
    queue_html = (
        first_screen.work_queue(queue, reasons)
        if queue is not None
        else '<p class="missing">Not in this warehouse: rpt_work_queue (run dbt build).</p>'
    )
    work = (
        '<section id="work-queue"><h2>Today\'s work queue</h2>'
        '<p class="question">Which open loans should collectors work first? (press a heading to sort; '
        "amounts largest first)</p>"
        f"{banner}{queue_html}</section>"
    )
    return f"{kpi.as_of_date:%Y-%m-%d}", top + work, banner


def render_reconciliation(connection: duckdb.DuckDBPyConnection, models: set[str]) -> str:
    heading = (
        '<section id="reconciliation"><h2>Active and overdue: loan file vs ledger</h2>'
        '<p class="question">Do the loan file and the ledger count the same active and overdue loans?</p>'
    )
    data = _read(connection, models, first_screen.RECONCILIATION)
    book = _read(connection, models, first_screen.OPEN_BOOK)
    if data is None or book is None:
        note = "Not in this warehouse: rpt_active_reconciliation (built only when there is a ledger)."
        return f'{heading}<p class="missing">{note}</p></section>'
    return heading + first_screen.reconciliation(data, book.iloc[0]) + "</section>"


def render_decisioning(connection: duckdb.DuckDBPyConnection, models: set[str], banner: str) -> str:
    """Each team's work queue (a strategy block: it gets the banner) and the experiment scoreboard."""
    queues = _read(connection, models, decisioning.TEAM_QUEUES)
    board = _read(connection, models, decisioning.SCOREBOARD)
    return (
        '<section id="team-queues"><h2>Work queue per team</h2>'
        '<p class="question">Which open loans does each team work first, with which action, and why?</p>'
        + banner
        + (
            decisioning.team_queues(queues)
            if queues is not None
            else '<p class="missing">Not in this warehouse: rpt_collection_queues (run dbt build).</p>'
        )
        + '</section><section id="experiment"><h2>Champion/challenger scoreboard</h2>'
        '<p class="question">Does the challenger policy recover more, net of cost, than the champion?</p>'
        + (
            decisioning.scoreboard(board)
            if board is not None
            else '<p class="missing">Not in this '
            "warehouse: rpt_experiment_scoreboard (built only when there is a ledger).</p>"
        )
        + "</section>"
    )


def render_team_capacity(connection: duckdb.DuckDBPyConnection, models: set[str]) -> str:
    """Capacity used and left per team, beside the plan by team."""
    data = _read(connection, models, decisioning.TEAM_CAPACITY)
    return (
        '<section id="team-capacity"><h2>Team capacity this period</h2>'
        '<p class="question">How much of each team\'s capacity does the plan use, and how much is left?</p>'
        + (
            decisioning.team_capacity(data)
            if data is not None
            else '<p class="missing">Not in this warehouse: rpt_team_capacity (run dbt build).</p>'
        )
        + "</section>"
    )


def render_report(warehouse: Path) -> str:
    """The whole report as one HTML document, read from the warehouse opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        models = existing_models(connection)
        as_of, top, banner = render_first_screen(connection, models)
        body = []
        for group, group_title in GROUPS.items():
            body.append(f'<h2 class="group" id="group-{group}">{html.escape(group_title)}</h2>')
            for section in SECTIONS:
                if section.group == group:
                    body.append(render_section(section, connection, models, banner))
                if section.key == "plan-by-team" and group == "collections":
                    body.append(render_team_capacity(connection, models))
            if group == "collections":
                body.append(render_decisioning(connection, models, banner))
            if group == "quality":
                body.append(render_reconciliation(connection, models))
    links = {group: [] for group in GROUPS}
    links["collections"].append('<a href="#work-queue">Work queue</a>')
    for section in SECTIONS:
        links[section.group].append(f'<a href="#{section.key}">{html.escape(section.title)}</a>')
        if section.key == "plan-by-team":
            links[section.group].append('<a href="#team-capacity">Team capacity</a>')
    links["collections"] += ['<a href="#team-queues">Team queues</a>', '<a href="#experiment">Experiment</a>']
    links["quality"].append('<a href="#reconciliation">Loan file vs ledger</a>')
    nav = "".join(
        f'<span class="group"><b>{html.escape(GROUPS[group])}</b>{" ".join(items)}</span>'
        for group, items in links.items()
    )
    as_of_text = f"as of {as_of}" if as_of else ""
    draw_settings = {"config": _json_in_html(json.dumps(PLOTLY_CONFIG)), "print_width": PRINT_WIDTH_PX}
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Loan-recovery report {html.escape(as_of_text)}</title>",
            f"<style>{STYLE}</style>",
            "</head><body>",
            '<a class="skip" href="#work-queue">Skip to the work queue</a>',
            f'<header><h1>Loan-recovery report</h1><span class="as-of">{html.escape(as_of_text)}</span>'
            f'<span class="note">from <code>{html.escape(warehouse.name)}</code>; amounts in the loan '
            "file's currency; scatter plots show a fixed sample of loans</span></header>",
            f'<nav aria-label="Contents"><details id="contents" open><summary>Contents</summary>'
            f'<div class="groups">{nav}</div></details></nav>',
            f"<script>{CONTENTS_SCRIPT}</script>",
            '<main id="main">',
            top,
            *body,
            "</main>",
            f"<script>{SORT_SCRIPT}</script>",
            f'<script type="text/plain" id="plotly-gzip">{packed_plotlyjs()}</script>',
            f"<script>{DRAW_SCRIPT % draw_settings}</script>",
            "</body></html>",
        ]
    )


def packed_plotlyjs() -> str:
    """plotly.js, gzip-compressed and base64-encoded, for DRAW_SCRIPT to unpack in the browser."""
    return base64.b64encode(gzip.compress(plotly.offline.get_plotlyjs().encode("utf-8"), mtime=0)).decode(
        "ascii"
    )


def write_report(warehouse: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(warehouse), encoding="utf-8")
    return out
