"""The report in headless Chromium: every chart drawn with data, no JavaScript error, no network request."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import plotly.offline
import pytest

from report.page import render_report, write_report
from report.sections import SECTIONS
from report.warehouse import REPORT_SCHEMA
from tests.dbt_runner import DBT, REPO, dbt_env
from tests.report.render_check import instrumented

MAX_REPORT_BYTES = 10_000_000
SCREENSHOT = REPO / "reports" / "loan-recovery-report.png"


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a throw-away profile with every host unresolvable, so requests would fail."""
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is not installed: run `make browser` (Debian package chromium)")
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        # Virtual time lets the page's timers, and so the render check, run before the DOM is dumped.
        "--virtual-time-budget=10000",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


class ExternalReferences(HTMLParser):
    """Collects src and href attributes that point off the page (script bodies are not attributes)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value and re.match(r"(https?:)?//", value):
                self.found.append(f"<{tag} {name}={value}>")


def test_every_chart_renders_with_data_offline_in_headless_chromium(sample_warehouse, tmp_path):
    report = write_report(sample_warehouse, tmp_path / "report.html")
    text = report.read_text(encoding="utf-8")
    assert report.stat().st_size < MAX_REPORT_BYTES
    assert text.count(plotly.offline.get_plotlyjs()[:2000]) == 1
    references = ExternalReferences()
    references.feed(text)
    assert references.found == []
    # The product carries no test hooks; the browser opens a copy that does.
    assert "render-check" not in text and "reportErrors" not in text
    checked = tmp_path / "report-checked.html"
    checked.write_text(instrumented(text), encoding="utf-8")

    dom = chromium(tmp_path / "profile", "--dump-dom", checked.as_uri()).stdout
    check = json.loads(re.search(r'<pre id="render-check"[^>]*>(.*?)</pre>', dom, re.S).group(1))
    assert check["errors"] == []
    assert check["requests"] == []
    assert [chart["id"] for chart in check["charts"]] == [f"chart-{section.key}" for section in SECTIONS]
    for chart in check["charts"]:
        assert chart["drawn"] and chart["traces"] > 0 and chart["points"] > 0, chart

    SCREENSHOT.parent.mkdir(exist_ok=True)
    chromium(tmp_path / "profile", f"--screenshot={SCREENSHOT}", "--window-size=1400,4000", report.as_uri())
    assert SCREENSHOT.stat().st_size > 0
    print(f"\nreport {report.stat().st_size / 1e6:.1f} MB; screenshot {SCREENSHOT}")


def test_a_warehouse_without_ledger_models_gets_notes_instead_of_those_charts(sample_warehouse, tmp_path):
    warehouse = tmp_path / "no_ledger.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        for section in SECTIONS:
            if section.needs_ledger:
                connection.execute(f"drop table {REPORT_SCHEMA}.{section.model}")

    text = render_report(warehouse)

    for section in SECTIONS:
        found = re.search(rf'<section id="{section.key}">(.*?)</section>', text, re.S).group(1)
        if section.needs_ledger:
            assert "Not in this warehouse" in found and "chart-" not in found
        else:
            assert f'id="chart-{section.key}"' in found and 'class="finding"' in found


def test_dbt_docs_lists_every_public_model_with_its_description_and_lineage(sample_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_warehouse, warehouse)
    target = tmp_path / "target"
    subprocess.run(
        [DBT, "docs", "generate", "--target-path", str(target)],
        cwd=REPO,
        env=dbt_env(warehouse),
        capture_output=True,
        check=True,
    )
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
        if node["resource_type"] == "model":
            assert node["depends_on"]["nodes"], f"{name} has no lineage"
    # Every number of the report comes from a documented report model on the marts: report <- rpt_ <- marts.
    assert report_models == {section.model for section in SECTIONS}
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
