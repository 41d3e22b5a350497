"""Every malformed input of the corpus either builds, losing no row, or stops with one clear message."""

import json
import shutil

import pandas as pd
import pytest

from tests.dbt_runner import query, run_dbt_build
from tests.reliability.corpus import VARIANTS, Variant, write_maps, write_variant
from tools.publish import publish

# Each test builds warehouses of its own: left out of `make check`.
pytestmark = pytest.mark.slow


def read_input(path: str) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """One folder for every variant, cleared between them: the same warehouse path and vars from one variant
    to the next let dbt reuse its parse (partial parsing), which takes most of a variant's time otherwise."""
    return tmp_path_factory.mktemp("bad-input")


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant.name for variant in VARIANTS])
def test_malformed_input_builds_or_stops_clearly(variant: Variant, sample_warehouse, workdir):
    warehouse, published = workdir / "warehouse.duckdb", workdir / "published.duckdb"
    shutil.rmtree(workdir / "input", ignore_errors=True)
    warehouse.with_name(warehouse.name + ".wal").unlink(missing_ok=True)
    shutil.copy(sample_warehouse, warehouse)
    publish(warehouse, published)
    published_before = published.read_bytes()
    loan_file, ledger = write_variant(variant, workdir / "input")
    maps = write_maps(variant, workdir / "input")
    dbt_vars = {"loan_recovery_path": str(loan_file), "ledger_path": str(ledger or "")} | maps
    select = ["+rejected_rows", "+loan_features"]
    if ledger:
        select.append("+loan_repayment")

    result = run_dbt_build(workdir, dbt_vars, select)

    output = result.stdout + result.stderr
    if variant.outcome == "stopped":
        assert result.returncode != 0
        assert variant.expected in output
        # A bad mapping is named by its file and row, the input otherwise.
        assert maps.get("column_map_path", str(ledger or loan_file)) in output
        assert "Traceback" not in output
        assert query(warehouse, "select count(*) as n from loan_features").n[0] == 2000, "marts were touched"
        assert published.read_bytes() == published_before
        return

    assert result.returncode == 0, output[-4000:]
    rejected = query(warehouse, "select * from rejected_rows order by all")
    found = sorted(rejected[["source_name", "source_row_number", "rejection_reason"]].itertuples(False, None))
    if variant.expected:
        assert variant.expected in [reason for *_, reason in found], found
    else:
        assert found == sorted(variant.rejected)
    # Each rejected row keeps its values as read (an empty cell as null), under the file's column names.
    files = {path: read_input(path) for path in rejected.source_file.unique()}
    for source_file, row, raw_record in rejected[
        ["source_file", "source_row_number", "raw_record"]
    ].itertuples(False, None):
        values = files[source_file].iloc[row - 1].to_dict()
        assert json.loads(raw_record) == {column: value or None for column, value in values.items()}
    counts = query(
        warehouse,
        """
        select
            (select count(*) from staging.stg_loan_recovery__loans) as input_rows,
            (select count(*) from loan_features) as accepted_rows,
            (select count(*) from rejected_rows where source_name = 'loan_recovery') as rejected_rows
        """,
    ).iloc[0]
    assert counts.input_rows == counts.accepted_rows + counts.rejected_rows
