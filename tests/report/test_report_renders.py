"""The report in headless Chromium: every chart drawn with data, no JavaScript error, no network request, the
first screen usable before the charts draw; usable at a laptop's and a phone's size (no overlapping text, text
of 14 px or more on the phone, every sortable heading sorted by keyboard) and on paper (every queue row and
every chart in the PDF, none cut at the page's edge); and what the page draws: open loans only in strategy,
one palette, vintage curves that never fall, the red banner on the public dataset whose score is at chance.
One render of the report serves every test that opens it."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from report import decisioning, first_screen
from report.page import packed_plotlyjs, render_report, write_report
from report.sections import SECTIONS
from report.style import BAND_COLORS, STATUS_COLORS, collector_words
from report.warehouse import REPORT_SCHEMA, read_model
from tests.dbt_runner import REPO, query, run_dbt
from tests.report.render_check import RENDER_CHECK, USABILITY_CHECK, framed, instrumented, ready_to_print
from tools.page_speed import chromium, page_timings

MAX_REPORT_BYTES = 2_500_000
SCREENSHOT = REPO / "reports" / "loan-recovery-report.png"
# A laptop and a phone (an iPhone 14's CSS pixels).
WINDOW_SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
MIN_PHONE_TEXT_PX = 14
# A4's 210 mm less two 1 cm margins, at 96 px an inch (letter is wider).
PRINTABLE_WIDTH_PX = 718


@pytest.fixture(scope="module")
def report_file(sample_warehouse, tmp_path_factory) -> Path:
    """The one render of the sample's report that the browser tests share."""
    return write_report(sample_warehouse, tmp_path_factory.mktemp("report") / "report.html")


def _dump_check(report: Path, workdir: Path, check: str, size: tuple[int, int] | None = None) -> dict:
    """Open an instrumented copy of the report in Chromium (in a frame of `size`, if given: a headless window
    is at least 500 px wide) and return what its check wrote."""
    checked = workdir / "report-checked.html"
    checked.write_text(instrumented(report.read_text(encoding="utf-8"), check), encoding="utf-8")
    opened = checked
    if size:
        opened = workdir / "report-framed.html"
        opened.write_text(framed(checked.name, *size), encoding="utf-8")
    window = [f"--window-size={size[0] + 100},{size[1] + 100}"] if size else []
    dom = chromium(workdir / "profile", *window, "--dump-dom", opened.as_uri()).stdout
    return json.loads(re.search(r'<pre id="render-check"[^>]*>(.*?)</pre>', dom, re.S).group(1))


@pytest.fixture(scope="module", params=list(WINDOW_SIZES))
def usability(request, report_file, tmp_path_factory) -> tuple[str, dict]:
    """What a reader meets at one window size: USABILITY_CHECK's measures."""
    workdir = tmp_path_factory.mktemp(f"usability-{request.param}")
    return request.param, _dump_check(report_file, workdir, USABILITY_CHECK, WINDOW_SIZES[request.param])


@pytest.fixture(scope="module")
def printed(report_file, tmp_path_factory) -> list[str]:
    """The report printed to PDF by Chromium, as the text of each page (pdftotext, poppler-utils)."""
    workdir = tmp_path_factory.mktemp("print")
    pdf = workdir / "report.pdf"
    page = workdir / "report-to-print.html"
    page.write_text(ready_to_print(report_file.read_text(encoding="utf-8")), encoding="utf-8")
    # Printed from a laptop's window: charts drawn at its width must still fit the paper.
    chromium(
        workdir / "profile",
        "--window-size=1440,900",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    )
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split("\f"), boxes.stdout


class ExternalReferences(HTMLParser):
    """Collects src and href attributes that point off the page (script bodies are not attributes)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and re.match(r"(https?:)?//", value):
                self.found.append(f"<{tag} {name}={value}>")


# Needs Debian's chromium, which `make test` installs and `make check` does not.
@pytest.mark.slow
def test_every_chart_renders_with_data_offline_in_headless_chromium(report_file, tmp_path):
    report = report_file
    text = report.read_text(encoding="utf-8")
    assert report.stat().st_size <= MAX_REPORT_BYTES, report.stat().st_size
    assert text.count(packed_plotlyjs()[:2000]) == 1
    references = ExternalReferences()
    references.feed(text)
    assert references.found == []
    # The product carries no test hooks; the browser opens a copy that does.
    assert "render-check" not in text and "reportErrors" not in text
    check = _dump_check(report, tmp_path, RENDER_CHECK)
    assert check["errors"] == []
    assert check["requests"] == []
    assert [chart["id"] for chart in check["charts"]] == [f"chart-{section.key}" for section in SECTIONS]
    # Drawn when scrolled into view: the page as delivered holds no drawn chart, and by itself the browser
    # drew at most those near the first screen.
    assert len(re.findall(r'<div class="chart" id="chart-[^"]+"[^>]*></div>', text)) == len(SECTIONS)
    assert len(check["drawnBeforePrint"]) < len(SECTIONS), check["drawnBeforePrint"]
    for chart in check["charts"]:
        assert chart["drawn"] and chart["traces"] > 0 and chart["points"] > 0, chart

    SCREENSHOT.parent.mkdir(exist_ok=True)
    chromium(tmp_path / "profile", f"--screenshot={SCREENSHOT}", "--window-size=1366,768", report.as_uri())
    assert SCREENSHOT.stat().st_size > 0
    print(f"\nreport {report.stat().st_size / 1e6:.1f} MB; screenshot {SCREENSHOT}")


# Needs Debian's chromium, which `make test` installs and `make check` does not.
@pytest.mark.slow
def test_the_first_screen_is_laid_out_before_the_charts_are_drawn(report_file, tmp_path):
    # How fast is a figure of `make bench` (tools.page_speed), not a test; this checks what makes it fast: the
    # page is usable without waiting for the charts, which draw only when scrolled near.
    timing = page_timings(report_file, tmp_path, loads=1)[0]

    print(f"\npage timing (ms): {timing}")
    assert timing["usable_ms"] <= timing["load_ms"]
    assert timing["charts"] == len(SECTIONS)
    assert timing["charts_drawn_on_load"] < timing["charts"]


# Needs Debian's chromium, which `make test` installs and `make check` does not.
@pytest.mark.slow
def test_the_first_screen_has_no_overlapping_text_and_no_sideways_scroll(usability):
    size, check = usability
    assert check["width"] == WINDOW_SIZES[size][0], "the window is not the size asked for"
    assert check["errors"] == []
    assert check["viewportTag"], "no viewport meta tag: a phone lays the page out at 980 px and shrinks it"
    assert check["firstScreenBoxes"] > 20
    assert check["overlaps"] == [], check["overlaps"]
    assert check["pageWidth"] <= check["width"], "the page scrolls sideways"
    # Printing draws every chart, none wider than A4 or letter paper less 1 cm margins (96 px an inch).
    assert len(check["printedChartWidths"]) == len(SECTIONS)
    assert max(check["printedChartWidths"]) <= PRINTABLE_WIDTH_PX, check["printedChartWidths"]


@pytest.mark.slow
def test_text_on_a_phone_is_at_least_14_px(usability):
    size, check = usability
    if size != "phone":
        pytest.skip("the text size is checked on the phone")
    small = [(text, size) for text, size in check["textSizes"] if size < MIN_PHONE_TEXT_PX]
    assert len(check["textSizes"]) > 100
    assert small == [], small[:10]


@pytest.mark.slow
def test_every_sortable_heading_is_reachable_and_sorts_by_keyboard(usability):
    _, check = usability
    assert check["mainLandmark"] == 1 and check["skipLink"]
    # No chart puts its toolbar's buttons in the Tab order.
    assert check["focusableInCharts"] == 0
    headings = check["sorting"]
    # The work queue's 8 columns and the team queues' 9 (the scoreboard's when an experiment runs).
    assert len(headings) >= 17
    for heading in headings:
        assert heading["button"] and heading["focused"], heading
        first, second = heading["presses"]
        # Numbers (amounts, days, scores) largest first; text A to Z; the second press reverses.
        assert first["ariaSort"] == ("descending" if heading["numeric"] else "ascending"), heading
        assert second["ariaSort"] == ("ascending" if first["ariaSort"] == "descending" else "descending")
        assert first["ordered"] and second["ordered"], heading
        assert {first["arrow"], second["arrow"]} == {"\u25b2", "\u25bc"}, heading


@pytest.mark.slow
def test_printing_keeps_every_queue_row_and_every_chart_whole(printed, sample_warehouse):
    pages, boxes = printed
    text = "\n".join(pages)
    queued = query(
        sample_warehouse,
        f"select loan_id from {REPORT_SCHEMA}.rpt_work_queue union all "
        f"select loan_id from {REPORT_SCHEMA}.rpt_collection_queues",
    ).loan_id
    assert len(queued) > 25
    missing = [
        loan_id
        for loan_id, rows in queued.value_counts().items()
        if len(re.findall(rf"\b{re.escape(loan_id)}\b", text)) < rows
    ]
    assert missing == [], f"{len(missing)} queue rows are not printed: {missing[:5]}"
    # Every chart printed (its title), whole on one page.
    for key, figure in _drawn_figures(sample_warehouse).items():
        title = figure.layout.title.text
        on_pages = [number for number, page in enumerate(pages) if title in page]
        assert len(on_pages) == 1, (key, title, on_pages)
    # Nothing past the right edge of the paper.
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    right_edges = [float(edge) for edge in re.findall(r'xMax="([\d.]+)"', boxes)]
    assert max(right_edges) <= width - 18, max(right_edges)


def test_kpi_amounts_are_compact_and_reasons_are_said_in_a_collectors_words():
    assert [first_screen.compact(amount) for amount in (812, 950_400, 15_070_833, 72_740_810, 1.2e9)] == [
        "812",
        "950.4k",
        "15.1M",
        "72.7M",
        "1.2B",
    ]
    assert collector_words("num_missed_payments", 3.0) == "3 missed instalments"
    assert collector_words("num_missed_payments", 1.0) == "1 missed instalment"
    assert collector_words("days_since_last_payment", 94.0) == "no payment for 94 days"
    assert collector_words("collateral_coverage_ratio", 0.0) == "no collateral"
    assert collector_words("payment_gap_share", -0.05) == "ahead of plan by 5% of the loan"
    assert collector_words("is_home_loan", None) == "home loan"
    # No value (no ledger) or no words for the input: its label.
    assert collector_words("days_since_last_payment", float("nan")) == "Days since last payment"
    assert collector_words("some_new_input", 1.0) == "Some new input"


def test_team_capacity_is_the_plan_against_the_seed(sample_warehouse):
    capacity = query(
        sample_warehouse, f"select * from {REPORT_SCHEMA}.rpt_team_capacity order by team_order"
    ).set_index("team")
    plan = query(
        sample_warehouse,
        "select actions.team, count(*) as loans from collection_plan as plan "
        "inner join collection_actions as actions on plan.action = actions.action group by actions.team",
    ).set_index("team")
    assert capacity.loans_assigned.sum() == plan.loans.sum()
    assert (capacity.loans_assigned.reindex(plan.index) == plan.loans).all()
    limited = capacity[capacity.capacity.notna()]
    assert (limited.capacity_left == limited.capacity - limited.loans_assigned).all()
    assert (limited.capacity_left >= 0).all() and len(limited) >= 1
    # Monitoring is the one team that does no work.
    assert capacity.index[capacity.is_no_work].tolist() == ["None"]


def test_a_warehouse_without_ledger_models_gets_notes_instead_of_those_charts(sample_warehouse, tmp_path):
    warehouse = tmp_path / "no_ledger.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        for section in SECTIONS:
            if section.needs_ledger:
                connection.execute(f"drop table {REPORT_SCHEMA}.{section.model}")
        connection.execute(f"drop table {REPORT_SCHEMA}.rpt_active_reconciliation")

    text = render_report(warehouse)

    for section in SECTIONS:
        found = re.search(rf'<section id="{section.key}">(.*?)</section>', text, re.S).group(1)
        if section.needs_ledger:
            assert "Not in this warehouse" in found and "chart-" not in found
        else:
            assert f'id="chart-{section.key}"' in found and 'class="finding"' in found
    assert "Not in this warehouse: rpt_active_reconciliation" in text
    assert 'id="work-queue"' in text and "no earlier month end" not in text


def test_the_model_box_counts_the_loans_the_scores_were_tested_on(report_file, sample_warehouse):
    # The model learns from observations (loan_observations), many per loan; its test is on resolved loans.
    tested = query(
        sample_warehouse, "select count(*) as n from loan_features where is_not_fully_recovered is not null"
    )
    learnt = query(sample_warehouse, "select count(*) as n from loan_observations").n[0]
    text = report_file.read_text()
    assert learnt > tested.n[0]
    assert f"cross-validation on {tested.n[0]:,} loans whose outcome" in text


def test_no_strategy_chart_or_work_queue_counts_a_closed_loan(sample_warehouse):
    open_loans = query(sample_warehouse, "select count(*) as n from recovery_strategy where is_open").n[0]
    closed = query(sample_warehouse, "select count(*) as n from recovery_strategy where not is_open").n[0]
    assert closed > 0
    for model in ("rpt_strategies", "rpt_risk_by_segment_and_band"):
        assert (
            query(sample_warehouse, f"select sum(loans) as n from {REPORT_SCHEMA}.{model}").n[0] == open_loans
        )
    queued = query(
        sample_warehouse,
        f"select recovery_strategy.is_open from {REPORT_SCHEMA}.rpt_work_queue as queue "
        "inner join recovery_strategy on queue.loan_id = recovery_strategy.loan_id",
    )
    assert len(queued) > 0 and queued.is_open.all()


def _drawn_figures(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            section.key: section.figure(read_model(connection, section.model, section.order_by))[0]
            for section in SECTIONS
        }


def _colours(trace) -> list[str]:
    colour = trace.marker.color if trace.type in ("bar", "scatter", "histogram") else None
    if trace.type == "scatter" and trace.mode and "lines" in trace.mode and trace.line.color:
        colour = trace.line.color
    return list(colour) if isinstance(colour, (list, tuple)) else [colour]


def test_status_and_band_colours_are_the_same_in_every_chart(sample_warehouse):
    figures = _drawn_figures(sample_warehouse)
    charts_with_statuses = set()
    for key, figure in figures.items():
        for trace in figure.data:
            name = trace.name or ""
            if name in STATUS_COLORS:
                charts_with_statuses.add(key)
                assert _colours(trace) == [STATUS_COLORS[name]], (key, name, _colours(trace))
            band = name.split(":")[0]
            if key == "risk-by-segment":
                assert _colours(trace) == [BAND_COLORS[band]], (key, name)
    assert len(charts_with_statuses) >= 3, charts_with_statuses
    strategies = figures["strategies"]
    bands = query(
        sample_warehouse, f"select risk_band from {REPORT_SCHEMA}.rpt_strategies order by band_order"
    )
    for trace in strategies.data:
        assert _colours(trace) == [BAND_COLORS[band] for band in bands.risk_band]


def test_every_vintage_curve_never_falls_and_counts_a_fixed_cohort(sample_warehouse):
    curves = query(
        sample_warehouse,
        f"select * from {REPORT_SCHEMA}.rpt_vintage_curves order by issue_year, months_on_book",
    )
    assert len(curves) > 0
    for year, curve in curves.groupby("issue_year"):
        assert (curve.share_ever_30_plus.diff().dropna() >= 0).all(), year
        assert curve.cohort_loans.nunique() == 1, year


@pytest.mark.slow
def test_the_public_dataset_build_shows_the_not_predictive_banner_over_every_strategy_section(
    public_dataset_build,
):
    warehouse, _ = public_dataset_build
    predictive = query(warehouse, f"select is_score_predictive from {REPORT_SCHEMA}.rpt_model_box")
    assert not predictive.is_score_predictive[0]

    text = render_report(warehouse)

    banner = 'class="not-predictive"'
    strategy_sections = ["work-queue", "team-queues", *(s.key for s in SECTIONS if s.is_strategy)]
    for key in strategy_sections:
        found = re.search(rf'<section id="{key}">(.*?)</section>', text, re.S).group(1)
        assert banner in found, key
    assert text.count(banner) == len(strategy_sections)
    assert "Fit to act on: <b>no" in text


def test_dbt_docs_lists_every_public_model_with_its_description_and_lineage(sample_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    target = tmp_path / "target"
    result = run_dbt(tmp_path, ["docs", "generate"], artifacts=True)
    assert result.returncode == 0, result.stdout[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        public = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'main'"
        )
        public_names = {name for (name,) in public.fetchall()}
        built = connection.execute(
            "select table_name from information_schema.tables where table_schema = ?", [REPORT_SCHEMA]
        )
        report_models = {name for (name,) in built.fetchall()}
    nodes = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("model", "seed")
    }

    for name in public_names:
        node = nodes[name]
        assert node["description"].strip(), f"{name} has no description"
        assert node["unique_id"] in catalog["nodes"], f"{name} is not in the docs catalog"
        # The time spine is a generated calendar (MetricFlow's): it reads nothing.
        if node["resource_type"] == "model" and name != "metricflow_time_spine":
            assert node["depends_on"]["nodes"], f"{name} has no lineage"
    # Every number of the report comes from a documented report model on the marts: report <- rpt_ <- marts.
    assert report_models == {section.model for section in SECTIONS} | set(first_screen.MODELS) | set(
        decisioning.MODELS
    )
    for name in report_models:
        node = nodes[name]
        assert node["description"].strip(), f"{name} has no description"
        columns = catalog["nodes"][node["unique_id"]]["columns"]
        documented = {column for column, doc in node["columns"].items() if doc["description"].strip()}
        undocumented = sorted(set(columns) - documented)
        assert undocumented == [], f"{name} has columns without a description: {undocumented}"
        assert node["depends_on"]["nodes"], f"{name} has no lineage"
        assert not any(parent.startswith("source.") for parent in node["depends_on"]["nodes"]), name
    exposures = {exposure["name"]: exposure for exposure in manifest["exposures"].values()}
    report_parents = [
        parent
        for exposure in ("loan_recovery_report", "loan_recovery_report_ledger")
        for parent in exposures[exposure]["depends_on"]["nodes"]
    ]
    assert sorted(report_parents) == sorted(nodes[model]["unique_id"] for model in report_models)
    assert "model.loan_recovery.recovery_strategy" in exposures["recovery_strategy_bi"]["depends_on"]["nodes"]
    assert all(exposure["owner"]["email"] for exposure in exposures.values())
    # The docs page loads its usage tracker only when this is true; false keeps `dbt docs serve` offline.
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
