"""How the tools and the tests start dbt: the virtual environment's dbt, on the repo's project and profile,
working on a DuckDB file of their choosing."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))


def dbt_env(warehouse: Path) -> dict[str, str]:
    """The environment of a dbt process (or of the report) that works on the given DuckDB file."""
    return {
        **os.environ,
        "DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_PROJECT_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
