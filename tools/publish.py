"""Publishes the warehouse's public tables to a separate DuckDB file that BI tools read while dbt rebuilds.

dbt needs the warehouse file to itself (DuckDB allows one writer), so readers get a copy instead: every table
and view of the public schema, materialised into a new file next to the published one and moved into place
with an atomic rename. A reader opening the published file sees the previous build or this one, never a
half-built state, and never waits for a writer. Run it after a successful `dbt build` (`make build` does).
"""

import argparse
import os
from pathlib import Path

import duckdb

from tools.sql import sql_text

PUBLIC_SCHEMA = "main"


def publish(warehouse: Path, published: Path, schema: str = PUBLIC_SCHEMA) -> list[str]:
    """Copy every table and view of `schema` in `warehouse` into `published` atomically; return the names."""
    staging = published.with_name(published.name + ".publishing")
    staging.unlink(missing_ok=True)
    with duckdb.connect(str(staging)) as copy:
        copy.execute(f"attach '{sql_text(warehouse)}' as warehouse (read_only)")
        names = [
            name
            for (name,) in copy.execute(
                "select table_name from information_schema.tables"
                " where table_catalog = 'warehouse' and table_schema = ? order by table_name",
                [schema],
            ).fetchall()
        ]
        for name in names:
            copy.execute(f'create table "{name}" as select * from warehouse."{schema}"."{name}"')
        copy.execute("detach warehouse")
    _flush(staging)
    os.replace(staging, published)
    _flush(published.parent)
    return names


def _flush(path: Path) -> None:
    # The rename is only as durable as the data and the directory entry behind it.
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse", type=Path, default=Path(os.environ.get("DUCKDB_PATH", "loan_recovery.duckdb"))
    )
    parser.add_argument(
        "--published",
        type=Path,
        default=Path(os.environ.get("PUBLISHED_DUCKDB_PATH", "loan_recovery_published.duckdb")),
    )
    args = parser.parse_args(argv)
    names = publish(args.warehouse, args.published)
    print(f"published {len(names)} tables from {args.warehouse} to {args.published}")


if __name__ == "__main__":
    main()
