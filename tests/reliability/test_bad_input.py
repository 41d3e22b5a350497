"""Every malformed input of the corpus either builds, losing no row, or stops with one clear message."""

import shutil

import pytest

from tests.dbt_runner import query, run_dbt_build
from tests.reliability.corpus import VARIANTS, Variant, write_maps, write_variant
from tools.publish import publish

# Each test builds warehouses of its own: left out of `make check`.
pytestmark = pytest.mark.slow


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
    reasons = query(warehouse, "select rejection_reason from rejected_rows").rejection_reason.tolist()
    if variant.expected:
        assert any(variant.expected in reason for reason in reasons), reasons
    else:
        assert reasons == []
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
