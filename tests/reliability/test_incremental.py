"""Daily incremental builds: any sequence of them equals a full refresh on the same inputs, table by table; a
daily build killed in any phase is repaired by the next one, while BI readers of the published file are never
disturbed; the first day's full build repeats the session's build of the sample exactly; every day's input
rows are accepted or rejected; the uniqueness tests a daily build scopes to its rebuilt loans still find every
duplicate it could have written."""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pandas as pd
import pytest

from tests.dbt_runner import (
    SAMPLE_LEDGER,
    SAMPLE_LOANS,
    UNTESTED,
    WITHOUT_UNIT_TESTS,
    run_dbt,
    start_dbt,
)
from tools.publish import publish
from tools.synthetic import SNAPSHOT_DATE
from tools.synthetic.daily import LEDGER_TABLES, read_table, write_next_day, write_table

pytestmark = pytest.mark.slow

FIRST_DAY = SNAPSHOT_DATE + datetime.timedelta(days=1)
# Tables that log builds rather than follow the inputs: the fits and segmentations of every build, the loans a
# build rebuilt, the state of the last complete build, and the strategy history, which a full refresh keeps.
BUILD_LOG_TABLES = {
    "model_runs",
    "segmentation_runs",
    "int_loans_changed",
    "int_loan_inputs_fingerprinted_built",
    "int_strategy_history",
    "strategy_changes",
}
# Columns that record when or how a build ran, and with which vars (build_context: the full refresh below
# names the saved model with var risk_model_run_id; int_loans_stressed's loan_state holds it too, to know
# which loans to stress again).
BUILD_LOG_COLUMNS = {"fitted_at", "scored_at", "scoring_decision", "build_context", "loan_state"}
# And the validated tables' source_file: the path the row was read from when its loan was last rebuilt (each
# day's files are in another folder); rejected_rows takes the current path from staging.
VALIDATED_LOG_COLUMNS = BUILD_LOG_COLUMNS | {"source_file"}
# Where a daily build is killed: one moment in each phase that writes to the warehouse, as the line dbt prints
# when the phase starts and the seconds to wait after it (the risk model's scoring takes seconds: killed in
# its middle). Ten evenly spaced moments took ten rebuilds and could still miss the short phases (the hooks).
KILL_PHASES = {
    "on-run-start hooks (input files, stale loan inputs)": ("START hook: loan_recovery.on-run-start", 0.0),
    "seeds": ("START seed file", 0.0),
    "an incremental SQL model": ("START sql incremental model", 0.0),
    "the risk model (Python)": ("START python incremental model intermediate.int_loans_scored", 1.0),
    "a public table": ("START sql table model main.", 0.0),
    "on-run-end hooks (incremental state)": ("START hook: loan_recovery.on-run-end", 0.0),
}
# Columns that record when a build ran, and which paths it read, the only things allowed to differ between two
# fresh builds of the same files (day 0 reads a copy of the sample's files).
BUILD_TIME_COLUMNS = {"fitted_at", "last_scored_at", "build_id", "built_at", "previous_built_at"}
INPUT_PATH_COLUMNS = {"loan_file", "ledger_folder"}
# Doubles are rounded to 9 significant digits after this nudge (table_hashes).
FLOAT_NUDGE = 1 + 1e-12
INPUT_NAMES = {
    "loan_recovery": "loan_recovery.csv",
    **{f"ledger_{t}": f"ledger/{t}.csv" for t in LEDGER_TABLES},
}


def table_hashes(database) -> dict[str, str]:
    """SHA-256 of each table's content but the build logs, in a row order independent of how it was built:
    each row as a JSON list of its values as text, the rows sorted, all in DuckDB.

    Doubles are compared to 9 significant digits: an aggregate over an incremental table adds the same values
    in another order, which moves the last bits of a floating-point sum. Each is first raised by a thousandth
    of that last digit (FLOAT_NUDGE), far more than the order moves it: an exact tie such as the mean
    98.96328125 (of 128 loans) rounds up whichever side of it the sum lands, instead of to 98.9632812 in one
    build and to 98.9632813 in the other.
    """
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        hashes = {}
        for schema, table in tables:
            if table in BUILD_LOG_TABLES:
                continue
            logs = VALIDATED_LOG_COLUMNS if table.endswith("_validated") else BUILD_LOG_COLUMNS
            columns = connection.execute(f'describe "{schema}"."{table}"').fetchall()
            values = ", ".join(
                f"format('{{:.9g}}', \"{name}\" * {FLOAT_NUDGE!r}::double)"
                if kind in ("DOUBLE", "FLOAT")
                else f'"{name}"::varchar'
                for name, kind, *_ in columns
                if name not in logs
            )
            rows = f'select to_json([{values}]) as line from "{schema}"."{table}"'
            (digest,) = connection.execute(
                f"select sha256(coalesce(string_agg(line, chr(10) order by line), '')) from ({rows})"
            ).fetchone()
            hashes[f"{schema}.{table}"] = digest
    return hashes


def build_args(full_refresh: bool = False, tested: bool = True) -> list[str]:
    """`dbt build`'s arguments, without the unit tests (WITHOUT_UNIT_TESTS); a reference build, compared table
    by table with a build that ran the data tests, leaves them out too (tested=False)."""
    args = ["build"] + (WITHOUT_UNIT_TESTS if tested else UNTESTED)
    return args + (["--full-refresh"] if full_refresh else [])


# Where a build's folder finds the day's files: a link to the day's folder. The vars name the files through
# it, so builds of days with the same as-of date (day 1 and its re-deliveries) have the same vars and share
# one parse of the project (tests/dbt_runner.py).
DAY_LINK = "day"


def day_vars(day, workdir, dbt_vars: dict | None = None) -> dict:
    """The vars of a build of the day's files in workdir (its DAY_LINK pointed at them): the day's (its as-of
    date), then dbt_vars."""
    folder, own_vars = day
    link = workdir / DAY_LINK
    workdir.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(folder, target_is_directory=True)
    files = {"loan_recovery_path": f"{DAY_LINK}/loan_recovery.csv", "ledger_path": f"{DAY_LINK}/ledger"}
    return files | own_vars | (dbt_vars or {})


def query(workdir, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(workdir / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).df()


def day_zero(directory):
    (directory / "ledger").mkdir(parents=True)
    shutil.copy(SAMPLE_LOANS, directory / "loan_recovery.csv")
    for table in LEDGER_TABLES:
        shutil.copy(SAMPLE_LEDGER / f"{table}.csv", directory / "ledger" / f"{table}.csv")
    return directory


def simulate_day(previous, directory, day: datetime.date):
    """The generator's next day: payments (half of them backdated), new loans, closures."""
    write_next_day(
        previous / "loan_recovery.csv", previous / "ledger", day, 7, directory, backdated_share=0.5
    )
    return directory


def redeliver(previous, directory, edit):
    """The same day's files again with `edit` of the payments: a re-delivery with corrections."""
    shutil.copytree(previous, directory)
    path = directory / "ledger" / "payments.csv"
    write_table(edit(read_table(path)), path)
    return directory


def correct_a_payment_and_add_an_unreadable_one(payments: pd.DataFrame) -> pd.DataFrame:
    """A correction of an earlier payment, and a payment whose amount cannot be read (rejected)."""
    payments.loc[0, "paid_sum"] = f"{float(payments.loc[0, 'paid_sum']) + 100:.2f}"
    unreadable = {
        "order_id": payments.loc[5, "order_id"],
        "paid_at": "2026-06-30 09:00:00",
        "paid_sum": "12.3O",
    }
    return pd.concat([payments, pd.DataFrame([unreadable])], ignore_index=True)


def fix_the_unreadable_payment(payments: pd.DataFrame) -> pd.DataFrame:
    """The unreadable amount, fixed in place."""
    payments.loc[payments["paid_sum"] == "12.3O", "paid_sum"] = "123.00"
    return payments


def assert_every_input_row_accounted_for(day_dir, workdir) -> None:
    """Per file: its rows = accepted rows (validated, without a reason) + rows in rejected_rows."""
    validated = {
        "loan_recovery": "int_loans_validated",
        "ledger_orders": "int_ledger_orders_validated",
        "ledger_plan": "int_ledger_plan_validated",
        "ledger_payments": "int_ledger_payments_validated",
    }
    for source_name, file_name in INPUT_NAMES.items():
        rows = len(read_table(day_dir / file_name))
        accepted = query(
            workdir,
            f"select count(*) as n from intermediate.{validated[source_name]} where rejection_reason is null",
        ).n[0]
        rejected = query(
            workdir, f"select count(*) as n from rejected_rows where source_name = '{source_name}'"
        ).n[0]
        assert rows == accepted + rejected, (
            f"{day_dir.name}: {file_name} has {rows} rows, {accepted} + {rejected}"
        )


@pytest.fixture(scope="module")
def days(tmp_path_factory) -> list[tuple]:
    """(folder, vars) of each day: the sample; the next day; that day re-delivered with a correction and an
    unreadable payment, then again with the payment fixed; and the day after. The as-of date is the day's."""
    root = tmp_path_factory.mktemp("days")
    day0 = day_zero(root / "day0")
    day1 = simulate_day(day0, root / "day1", FIRST_DAY)
    day1b = redeliver(day1, root / "day1b", correct_a_payment_and_add_an_unreadable_one)
    day1c = redeliver(day1b, root / "day1c", fix_the_unreadable_payment)
    day2 = simulate_day(day1c, root / "day2", FIRST_DAY + datetime.timedelta(days=1))
    folders = [day0, day1, day1b, day1c, day2]
    as_of = [SNAPSHOT_DATE, FIRST_DAY, FIRST_DAY, FIRST_DAY, FIRST_DAY + datetime.timedelta(days=1)]
    return [(folder, {"as_of_date": day.isoformat()}) for folder, day in zip(folders, as_of, strict=True)]


@pytest.fixture(scope="module")
def fitted_warehouse(days, tmp_path_factory):
    """Day 0 built in full (fitting the risk models), and the risk model run that drives strategy. Its data
    tests are left out: its tables must equal those of the session's sample build
    (test_two_fresh_builds_of_the_sample_give_identical_tables), which ran them on the same rows."""
    workdir = tmp_path_factory.mktemp("day0-build")
    build(days[0], workdir, tested=False)
    (run_id,) = query(workdir, "select distinct run_id from risk_scores").run_id
    return workdir, run_id


def copy_warehouse(source, destination):
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("target", "logs", DAY_LINK))
    return destination


def build(
    day, workdir, dbt_vars: dict | None = None, full_refresh: bool = False, tested: bool = True
) -> None:
    """Build the day's files into workdir's warehouse (build_args)."""
    result = run_dbt(workdir, build_args(full_refresh, tested), day_vars(day, workdir, dbt_vars))
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]


def strategies(workdir) -> pd.DataFrame:
    return query(
        workdir, "select loan_id, risk_band, recommended_action from recovery_strategy order by loan_id"
    )


@pytest.fixture(scope="module")
def incremental_days(days, fitted_warehouse, tmp_path_factory) -> list:
    """Day 0's warehouse built incrementally on each later day in turn, once for every test: a copy of the
    warehouse after each day (the first, day 0's)."""
    root = tmp_path_factory.mktemp("incremental")
    workdir = copy_warehouse(fitted_warehouse[0], root / "building")
    after = [fitted_warehouse[0]]
    for number, day in enumerate(days[1:], 1):
        build(day, workdir)
        after.append(copy_warehouse(workdir, root / f"after-day-{number}"))
    return after


def test_incremental_days_equal_a_full_refresh_and_account_for_every_row(
    days, fitted_warehouse, incremental_days, tmp_path
):
    after = incremental_days
    run_id = fitted_warehouse[1]
    for number, day in enumerate(days[1:], 1):
        workdir, before = after[number], strategies(after[number - 1])
        assert_every_input_row_accounted_for(day[0], workdir)
        changed = query(
            workdir, "select count(*) as n from intermediate.int_loans_changed where has_changed_inputs"
        )
        assert 0 < changed.n[0] < 100, (
            f"{day[0].name}: {changed.n[0]} loans with changed inputs, expected a few"
        )
        # strategy_changes lists exactly the loans whose band or action moved, and the new loans.
        moved = before.merge(strategies(workdir), on="loan_id", how="right", suffixes=("_before", ""))
        # a resolved loan has no action: empty on both sides is no change
        moved = moved[
            (moved.risk_band_before != moved.risk_band)
            | (moved.recommended_action_before.fillna("") != moved.recommended_action.fillna(""))
        ]
        listed = query(workdir, "select loan_id from strategy_changes order by loan_id")
        assert sorted(listed.loan_id) == sorted(moved.loan_id), day[0].name
    workdir = after[-1]
    rejected = query(
        workdir, "select rejection_reason from rejected_rows where source_name = 'ledger_payments'"
    )
    assert not rejected.rejection_reason.str.contains("paid_sum").any(), "the fixed payment is still rejected"
    decision = query(workdir, f"select last_scoring_decision from model_runs where run_id = '{run_id}'")
    assert decision.last_scoring_decision[0].startswith("scored with saved model")

    history_rows = len(query(workdir, "select * from strategy_history"))
    refreshed = copy_warehouse(workdir, tmp_path / "refreshed")
    build(days[-1], refreshed, {"risk_model_run_id": run_id}, full_refresh=True, tested=False)
    assert table_hashes(workdir / "warehouse.duckdb") == table_hashes(refreshed / "warehouse.duckdb")
    assert len(query(refreshed, "select * from strategy_history")) >= history_rows, (
        "a full refresh lost history"
    )


def fresh_build_tables(database) -> dict[str, str]:
    """Each public table and report table (schema `reports`) as the select that reads its content, but the
    columns that say when it was built and from which paths."""
    left_out = BUILD_TIME_COLUMNS | INPUT_PATH_COLUMNS
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables"
            " where table_schema in ('main', 'reports')"
        ).fetchall()
        selects = {}
        for schema, table in tables:
            columns = connection.execute(f'select * from "{schema}"."{table}" limit 0').df().columns
            kept = ", ".join(f'"{column}"' for column in columns if column not in left_out)
            selects[f"{schema}.{table}"] = f'select {kept} from {{database}}."{schema}"."{table}"'
    return selects


def fresh_build_differences(database, other) -> dict[str, str]:
    """The tables of two fresh builds whose content differs (fresh_build_tables), to the bit and in any row
    order, each with the first differing rows of either side."""
    differences = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{database}' as one (read_only)")
        connection.execute(f"attach '{other}' as other (read_only)")
        tables, other_tables = fresh_build_tables(database), fresh_build_tables(other)
        for name in sorted(tables.keys() | other_tables.keys()):
            if name not in tables or name not in other_tables:
                differences[name] = "in one build only"
                continue
            one, two = tables[name].format(database="one"), other_tables[name].format(database="other")
            rows = connection.execute(
                f"(select 'first' as build, * from ({one} except all {two}))"
                f" union all (select 'second', * from ({two} except all {one})) order by all limit 6"
            ).df()
            if len(rows):
                differences[name] = rows.to_string(max_colwidth=40, float_format=repr)
    return differences


def test_two_fresh_builds_of_the_sample_give_identical_tables(sample_warehouse, fitted_warehouse):
    workdir, _ = fitted_warehouse
    differences = fresh_build_differences(workdir / "warehouse.duckdb", sample_warehouse)
    assert not differences, "\n\n".join(f"{table}:\n{rows}" for table, rows in differences.items())


def kill_build_at(day, workdir, line: str, delay: float) -> None:
    """Starts the day's build on workdir's warehouse and kills it `delay` seconds after dbt prints `line`.

    The build leaves its data tests out: they only read, and a killed build's results are not checked, so
    running them only delays the phases that write (the last of them, the end hooks, came after every
    test)."""
    # In its own process group: the kill reaches dbt's threads and children too.
    killed = start_dbt(
        workdir, build_args(tested=False), day_vars(day, workdir), stdout=subprocess.PIPE, text=True
    )
    reached = False
    for output in killed.stdout:
        if line in output:
            reached = True
            time.sleep(delay)
            break
    os.killpg(killed.pid, signal.SIGKILL)
    killed.stdout.close()
    killed.wait()
    assert reached, f"the build finished without printing {line!r}"


READER = """
import json, sys, time, duckdb
published, stop_file, log_file = sys.argv[1:]
with open(log_file, "w") as log:
    while True:
        started = time.monotonic()
        try:
            with duckdb.connect(published, read_only=True) as connection:
                loans = connection.execute("select count(*) from recovery_strategy").fetchone()[0]
                portfolio = connection.execute("select count(*) from loan_portfolio").fetchone()[0]
            log.write(json.dumps({"loans": loans, "portfolio": portfolio,
                                  "seconds": time.monotonic() - started}) + "\\n")
        except Exception as error:
            log.write(json.dumps({"error": repr(error)}) + "\\n")
        log.flush()
        try:
            open(stop_file).close()
            break
        except FileNotFoundError:
            time.sleep(0.05)
"""


@pytest.fixture(scope="module")
def killed_builds(days, fitted_warehouse, incremental_days, tmp_path_factory):
    """The warehouse after day 1, its build of day 1's re-delivery (days[2]) killed once in each of
    KILL_PHASES and built again after each kill, every rebuild published while a reader polls the published
    file: (the table hashes after each rebuild, by phase; those of a full refresh of the same day; those of
    the uninterrupted build of that day; the reader's log; the loans the published file held before and
    after). The rebuilds leave the data tests out: their tables must equal the uninterrupted build's, which
    ran them."""
    after = incremental_days
    root = tmp_path_factory.mktemp("killed")
    run_id = fitted_warehouse[1]
    expected = copy_warehouse(after[2], root / "expected")
    build(days[2], expected, {"risk_model_run_id": run_id}, full_refresh=True, tested=False)
    workdir = copy_warehouse(after[1], root / "incremental")
    published, stop_file, log_file = (root / name for name in ("published.duckdb", "stop", "reads.jsonl"))
    publish(workdir / "warehouse.duckdb", published)
    loans = [len(strategies(after[1])), len(strategies(after[2]))]
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop_file), str(log_file)])
    rebuilt = {}
    try:
        for number, (phase, (line, delay)) in enumerate(KILL_PHASES.items()):
            kill_build_at(days[2], workdir, line, delay)
            if number == 0:
                # Killed, then the inputs go back to the previous delivery and forward again: still right.
                build(days[1], workdir, tested=False)
            build(days[2], workdir, tested=False)
            rebuilt[phase] = table_hashes(workdir / "warehouse.duckdb")
            publish(workdir / "warehouse.duckdb", published)
    finally:
        stop_file.touch()
        reader.wait(timeout=60)
    reads = [json.loads(line) for line in log_file.read_text().splitlines()]
    uninterrupted = table_hashes(after[2] / "warehouse.duckdb")
    return rebuilt, table_hashes(expected / "warehouse.duckdb"), uninterrupted, reads, loans


def test_a_daily_build_killed_in_any_phase_is_repaired_by_the_next_one(killed_builds):
    rebuilt, expected, uninterrupted, _, _ = killed_builds
    assert uninterrupted == expected, "the uninterrupted build differs from a full refresh"
    assert list(rebuilt) == list(KILL_PHASES)
    for phase, hashes in rebuilt.items():
        assert hashes == expected, f"after a kill in {phase}"


def test_bi_readers_are_never_blocked_and_never_see_a_half_built_warehouse(killed_builds):
    *_, reads, loans = killed_builds
    print(f"\n{len(reads)} reads during {len(KILL_PHASES)} killed builds and their rebuilds,", end=" ")
    print(f"slowest {max(r.get('seconds', 0) for r in reads):.3f} s")
    assert len(reads) > 50
    assert [read for read in reads if "error" in read] == []
    # before the first rebuild is published, the day before's loans; after it, the day's
    assert {(read["loans"], read["portfolio"]) for read in reads} <= {(n, n) for n in loans}
    assert reads[-1]["loans"] == loans[1]
    assert max(read["seconds"] for read in reads) < 5


SCOPED_TESTS = {
    "month ends": "unique_loan_month_ends_loan_month_id",
    "payments": "unique_int_ledger_payments_validated_source_row_number",
}


def failures_of_scoped_tests(workdir, day, dbt_vars: dict | None = None) -> dict[str, int]:
    """`dbt test` of SCOPED_TESTS on workdir's warehouse with the day's vars: each test's failing rows."""
    dbt_vars = day_vars(day, workdir, dbt_vars)
    run_dbt(workdir, ["test", "--select", *SCOPED_TESTS.values()], dbt_vars, artifacts=True)
    results = json.loads((workdir / "target" / "run_results.json").read_text())["results"]
    failures = {result["unique_id"].split(".")[2]: result["failures"] for result in results}
    return {name: failures[test] for name, test in SCOPED_TESTS.items()}


def test_a_daily_builds_uniqueness_tests_read_every_row_sharing_a_key_with_its_rebuilt_loans(
    days, incremental_days, tmp_path
):
    """The scoped uniqueness tests (meta scope rebuilt_loans) after the build of day 1's second re-delivery,
    which rebuilt a few loans: a duplicate a rebuilt loan takes part in is found, one between rows of loans
    the build did not touch is left to the build that wrote them, and var whole_table_tests finds both."""
    workdir = copy_warehouse(incremental_days[3], tmp_path / "warehouse")
    rebuilt, untouched = (
        query(
            workdir,
            "select min(loan_id) as loan_id from loan_month_ends"
            f" where loan_id {condition} (select loan_key from intermediate.int_loans_changed)",
        ).loan_id[0]
        for condition in ("in", "not in")
    )
    with duckdb.connect(str(workdir / "warehouse.duckdb")) as connection:
        for loan_id in (rebuilt, untouched):
            connection.execute(
                "insert into loan_month_ends"
                f" select * from loan_month_ends where loan_id = '{loan_id}' limit 1"
            )
        # A rebuilt loan's payment numbered as a row of an untouched loan: the stale numbering only the
        # untouched loan's row shows.
        connection.execute(
            "insert into intermediate.int_ledger_payments_validated"
            f" select * replace ('{rebuilt}' as loan_id) from intermediate.int_ledger_payments_validated"
            f" where loan_id = '{untouched}' limit 1"
        )
    assert failures_of_scoped_tests(workdir, days[3]) == {"month ends": 1, "payments": 1}
    assert failures_of_scoped_tests(workdir, days[3], {"whole_table_tests": True}) == {
        "month ends": 2,
        "payments": 1,
    }
