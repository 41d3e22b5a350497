"""Reads the report models from a built warehouse as they stand: plain selects, no computation."""

import duckdb
import pandas as pd

# Where dbt builds models/reports/ (`+schema: reports` in dbt_project.yml).
REPORT_SCHEMA = "reports"


def existing_models(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute(
        "select table_name from information_schema.tables where table_schema = ?", [REPORT_SCHEMA]
    )
    return {name for (name,) in rows.fetchall()}


def read_model(connection: duckdb.DuckDBPyConnection, model: str, order_by: str = "") -> pd.DataFrame:
    order = f" order by {order_by}" if order_by else ""
    return connection.execute(f'select * from {REPORT_SCHEMA}."{model}"{order}').df()
