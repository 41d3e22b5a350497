"""The PostgreSQL endpoint's roles: bi_reader reads the reader views only, without any personal column;
analyst reads the full marts; neither writes anything. A refresh is atomic for readers; only the loopback
listens."""

import threading

import psycopg
import pytest
from psycopg import errors

from tools.serve import ANALYST, READER, load

# the borrower-level personal columns of the issue, written out here rather than read from the code under test
PERSONAL_COLUMNS = {"borrower_id", "age", "gender", "monthly_income", "num_dependents"}

WRITES = [
    "create table public.written (a int)",
    "create table bi.written (a int)",
    "create table marts.written (a int)",
    "create table staging.written (a int)",
    "create temporary table written (a int)",
    "create schema written",
    "create view bi.written as select 1 as a",
    "insert into {table} select * from {table} limit 1",
    "update {table} set loan_id = loan_id",
    "delete from {table}",
    "truncate marts.recovery_strategy",
    "drop table marts.recovery_strategy",
    "drop view bi.recovery_strategy",
]
READABLE_TABLE = {READER: "bi.recovery_strategy", ANALYST: "marts.recovery_strategy"}


def connect(server, role):
    return psycopg.connect(server.url(role), autocommit=True)


def test_start_prints_the_connection_urls(endpoint):
    server, output = endpoint
    assert f"postgresql://{READER}:" in output and f"@127.0.0.1:{server.port}/loan_recovery" in output


def test_bi_reader_reads_recovery_strategy_without_personal_columns(endpoint, sample_warehouse):
    server, _ = endpoint
    with connect(server, READER) as connection:
        cursor = connection.execute("select * from bi.recovery_strategy")
        columns = {column.name for column in cursor.description}
        assert len(cursor.fetchall()) == 2000
        assert "loan_id" in columns and "recommended_action" in columns
        assert not columns & PERSONAL_COLUMNS
        # no view anywhere this role can see has one
        visible = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema not in ('pg_catalog', 'information_schema')"
        ).fetchall()
        assert visible and not [row for row in visible if row[2] in PERSONAL_COLUMNS]
        assert {row[0] for row in visible} == {"bi"}


@pytest.mark.parametrize(
    "query",
    [
        "select * from staging.stg_loan_recovery__loans",
        "select * from intermediate.int_loans_validated",
        "select * from marts.rejected_rows",
        "select monthly_income from marts.recovery_strategy",
        "select * from reports.rpt_portfolio_kpis",
    ],
)
def test_bi_reader_is_refused_what_is_not_its_own(endpoint, query):
    server, _ = endpoint
    with connect(server, READER) as connection, pytest.raises(errors.InsufficientPrivilege):
        connection.execute(query)


def test_bi_reader_sees_rejected_rows_only_as_counts(endpoint, sample_warehouse):
    server, _ = endpoint
    with connect(server, READER) as connection:
        cursor = connection.execute("select * from bi.rejected_rows")
        assert {column.name for column in cursor.description} == {
            "source_name",
            "source_file",
            "rejection_reason",
            "rejected_rows",
        }
        with pytest.raises(errors.UndefinedColumn):
            connection.execute("select raw_record from bi.rejected_rows")


@pytest.mark.parametrize("role", [READER, ANALYST])
@pytest.mark.parametrize("write", WRITES)
def test_no_role_can_write(endpoint, role, write):
    server, _ = endpoint
    with connect(server, role) as connection:
        # the privileges refuse it, not only the read-only default a client can switch off
        connection.execute("set session characteristics as transaction read write")
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(write.format(table=READABLE_TABLE[role]))


def test_analyst_reads_the_full_marts_and_not_the_pipeline(endpoint, sample_warehouse):
    server, _ = endpoint
    with connect(server, ANALYST) as connection:
        loans, income = connection.execute(
            "select count(*), sum(monthly_income) from marts.recovery_strategy"
        ).fetchone()
        assert loans == 2000 and income > 0
        assert connection.execute("select count(*) from marts.rejected_rows where raw_record is not null")
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute("select * from staging.stg_loan_recovery__loans")


def test_listens_on_the_loopback_only(endpoint):
    server, _ = endpoint
    with psycopg.connect(server.superuser_url()) as connection:
        assert connection.execute("show listen_addresses").fetchone() == ("127.0.0.1",)


def test_a_refresh_is_atomic_for_readers(endpoint, sample_warehouse, published):
    """A reader querying throughout four refreshes always gets the whole table, never an error. Each refresh
    loads what the endpoint's start loaded, its keys too (the manifest), as `make build` refreshes it: the
    other BI tests read the same endpoint after this one, whichever order they run in."""
    server, _ = endpoint
    manifest = sample_warehouse.parent / "target" / "manifest.json"
    counts, failures, done = [], [], threading.Event()

    def read():
        with connect(server, READER) as connection:
            while not done.is_set():
                try:
                    counts.append(connection.execute("select count(*) from bi.loan_portfolio").fetchone()[0])
                except psycopg.Error as error:
                    failures.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(4):
            load(server.superuser_url(), published, sample_warehouse, manifest)
    finally:
        done.set()
        reader.join()
    assert not failures and counts and set(counts) == {2000}
