"""Assembles the report page: a section per report model, plotly.js inlined once, no network requests."""

import html
from pathlib import Path

import duckdb
import plotly.offline

from report.sections import SECTIONS, Section
from report.warehouse import existing_models, read_model

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 2rem; }
section { border-top: 1px solid #ddd; padding: 1rem 0; }
p.finding { font-size: 1.05rem; margin: 0.25rem 0 0.5rem; }
p.missing { color: #777; font-style: italic; }
nav a { margin-right: 0.8rem; white-space: nowrap; }
"""


def render_section(section: Section, connection: duckdb.DuckDBPyConnection, models: set[str]) -> str:
    """One <section>: the chart and its sentence, or a note saying that this warehouse lacks its model."""
    heading = f'<section id="{section.key}"><h2>{html.escape(section.title)}</h2>'
    if section.model not in models:
        why = "built only when there is a ledger" if section.needs_ledger else "run dbt build"
        note = f"Not in this warehouse: {section.model} ({why})."
        return f'{heading}<p class="missing">{html.escape(note)}</p></section>'
    data = read_model(connection, section.model, section.order_by)
    if data.empty:
        note = f"No rows in {section.model} for this chart."
        return f'{heading}<p class="missing">{html.escape(note)}</p></section>'
    figure, sentence = section.figure(data)
    plot = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"chart-{section.key}", config=PLOTLY_CONFIG
    )
    return f'{heading}<p class="finding">{html.escape(sentence)}</p>{plot}</section>'


def render_report(warehouse: Path) -> str:
    """The whole report as one HTML document, read from the warehouse opened read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        models = existing_models(connection)
        sections = [render_section(section, connection, models) for section in SECTIONS]
    contents = " ".join(f'<a href="#{section.key}">{html.escape(section.title)}</a>' for section in SECTIONS)
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<title>Loan-recovery report</title>",
            f"<style>{STYLE}</style>",
            f"<script>{plotly.offline.get_plotlyjs()}</script>",
            "</head><body>",
            "<h1>Loan-recovery report</h1>",
            f"<p>From the report models of <code>{html.escape(warehouse.name)}</code>. Amounts are in the "
            "loan file's currency; scatter plots show a fixed sample of loans, every other figure covers "
            "all.</p>",
            f"<nav>{contents}</nav>",
            *sections,
            "</body></html>",
        ]
    )


def write_report(warehouse: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(warehouse), encoding="utf-8")
    return out
