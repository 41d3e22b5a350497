"""The bundled sample, with bad rows put in, built on DuckDB (make build) and on Spark the way platforms
connect dbt to it (make build-spark SPARK_METHOD=thrift: a standalone cluster of a master and two workers
on this machine, dbt through its Spark Thrift Server) gives the same public tables.

Same rows (as many, matched on every non-float column), same text, dates, flags and categories exactly, and
numbers equal within NUMBER_TOLERANCE. The bad rows (LOAN_CELLS, LEDGER_CELLS) must be rejected with the same
reasons and the same raw-row JSON. The ML step fits the same sample, folds and seeds on both
(loans sorted by id before any fit), so its scores agree to the last bits: the tolerance only covers a double
sum's last digits, which depend on the order of parallel aggregation (Spark's partial sums, a forest's
threads).

It builds through Thrift rather than the default `session` method, once (a Spark build takes minutes): the
SQL and the ML job are the same either way, and Thrift adds what a session in one process cannot show (dbt
over the wire, executors in JVMs of their own); tests/spark/test_session_method.py keeps dbt's session method
covered. The build must stop everything it started.

dbt's own generic tests (DBT_BUILTIN_TESTS) are left out of the Spark build: the tables they check are
compared with DuckDB's, where they passed (the public ones here, the others through the public tables built
from them), and their SQL is dbt-spark's, not ours. The project's own data tests (its generic and singular
ones, whose SQL is ours) and the unit tests run on Spark too."""

import datetime
import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest

from tests.dbt_runner import REPO, SAMPLE_LEDGER, SAMPLE_LOANS, dbt_build, query
from tools.spark_build import public_tables
from tools.spark_cluster import HOST, free_port

# Relative and absolute tolerance of a number: far below any rounding the marts show, far above float noise.
NUMBER_TOLERANCE = 1e-9
# When and by which dbt invocation each build fitted, scored and recorded its strategies, and the fingerprint
# of a loan's input rows (each engine's own row hash, compared only within one warehouse to find changed
# loans): the only columns that must differ.
BUILD_TIME_COLUMNS = {
    "fitted_at",
    "last_scored_at",
    "build_id",
    "built_at",
    "previous_built_at",
    "input_fingerprint",
}

pytestmark = pytest.mark.slow

DBT_BUILTIN_TESTS = ["not_null", "unique", "accepted_values", "relationships"]


# Bad input both engines must reject for the same reasons (row, column, value), on top of the bundled sample.
LOAN_CELLS = [
    (3, "Monthly_Income", "fifty thousand"),
    (4, "Monthly_Income", "12,500"),
    (5, "Loan_Amount", "-25000"),
    (6, "Monthly_Income", "0"),
    (7, "Loan_ID", "LN_1"),
    (8, "Loan_Type", "Boat"),
    (9, "Monthly_EMI", "null"),
    (10, "Age", "NA"),
    (11, "Gender", ""),
    (12, "Age", "400"),
    (13, "Interest_Rate", "900"),
    (14, "Num_Dependents", "3.5"),
    (15, "Num_Dependents", "2.0"),
    (16, "Payment_History", " on_time "),
    (17, "Loan_Tenure", "1e2"),
    (18, "Collateral_Value", " 1500.755 "),
    (19, "Legal_Action_Taken", "maybe"),
    (20, "Borrower_ID", "BRW, with commas"),
    (21, "Days_Past_Due", "N/A"),
    (22, "Recovery_Status", "written-off"),
]
LEDGER_CELLS = {
    "payments": [(5, "paid_sum", "-5"), (6, "paid_at", "yesterday"), (7, "order_id", "NO_SUCH_LOAN")],
    "plan": [(5, "plan_at", "2024-13-01"), (6, "plan_sum_total", "n/a")],
    "orders": [
        (2, "closed_at", "2001-01-01 00:00:00"),
        (3, "issued_sum", "0"),
        # Not bad, an edge both engines must count alike: issued on 31 January, closed on 28 February (LN_2),
        # one month boundary apart. dbt-spark's datediff counted two, which gave the loan a March month end on
        # Spark.
        (1, "put_at", "2025-01-31 08:00:00"),
    ],
}


def messy_sample(folder: Path) -> dict[str, str]:
    """The bundled sample with LOAN_CELLS and LEDGER_CELLS put in, written to `folder`; vars to read it."""
    loans = pd.read_csv(SAMPLE_LOANS, dtype=str, keep_default_na=False)
    for row, column, value in LOAN_CELLS:
        loans.at[row, column] = value
    (folder / "ledger").mkdir(parents=True)
    loans.to_csv(folder / "loans.csv", index=False, lineterminator="\n")
    for table, cells in LEDGER_CELLS.items():
        frame = pd.read_csv(SAMPLE_LEDGER / f"{table}.csv", dtype=str, keep_default_na=False)
        for row, column, value in cells:
            frame.at[row, column] = value
        frame.to_csv(folder / "ledger" / f"{table}.csv", index=False, lineterminator="\n")
    for table in {"orders", "plan", "payments"} - set(LEDGER_CELLS):
        (folder / "ledger" / f"{table}.csv").write_bytes((SAMPLE_LEDGER / f"{table}.csv").read_bytes())
    return {"loan_recovery_path": str(folder / "loans.csv"), "ledger_path": str(folder / "ledger")}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The messy sample built on DuckDB (its warehouse) and on Spark through Thrift (public tables as Parquet
    folders), and where the Spark cluster ran (its folder and ports)."""
    workdir = tmp_path_factory.mktemp("engines")
    dbt_vars = messy_sample(workdir / "input")
    warehouse = dbt_build(workdir / "duckdb", dbt_vars, artifacts=True)
    exported = workdir / "spark" / "public"
    # ports of their own, so that a server someone runs on the defaults does not answer instead
    cluster = {"folder": workdir / "spark" / "cluster", "ports": [free_port(), free_port()]}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.spark_build",
            "--method",
            "thrift",
            "--cluster-dir",
            str(cluster["folder"]),
            "--cluster-port",
            str(cluster["ports"][0]),
            "--thrift-port",
            str(cluster["ports"][1]),
            "--vars",
            json.dumps(dbt_vars),
            "--warehouse-dir",
            str(workdir / "spark" / "warehouse"),
            "--target-path",
            str(workdir / "spark" / "target"),
            "--export-public",
            str(exported),
            "--exclude",
            *(f"test_name:{name}" for name in DBT_BUILTIN_TESTS),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert f"Spark Thrift Server at {HOST}:{cluster['ports'][1]}" in result.stdout
    return warehouse, exported, cluster


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """One engine's table in a shared form: numbers as float, timestamps without zone, rows in one order."""
    frame = frame.drop(columns=[c for c in frame.columns if c in BUILD_TIME_COLUMNS]).reset_index(drop=True)
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            frame[column] = values.dt.tz_convert(None)
        elif values.dtype == object and values.dropna().map(lambda v: hasattr(v, "as_tuple")).any():
            frame[column] = pd.to_numeric(values)  # Spark's decimals arrive as Decimal objects
        elif values.dtype == object and values.dropna().map(lambda v: isinstance(v, datetime.date)).any():
            frame[column] = pd.to_datetime(values)  # and its dates as datetime.date
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[us]")
    keys = [c for c in frame.columns if not pd.api.types.is_float_dtype(frame[c])]
    rounded = {c: frame[c].round(6) for c in frame.columns if c not in keys}
    order = pd.DataFrame(
        {c: frame[c].astype(str) for c in keys} | {c: v.astype(str) for c, v in rounded.items()}
    )
    return frame.iloc[order.sort_values(list(order.columns), kind="stable").index].reset_index(drop=True)


def differences(name: str, duckdb_frame: pd.DataFrame, spark_frame: pd.DataFrame) -> list[str]:
    """What differs between the two engines' versions of one table, as readable lines (none when equal)."""
    found = []
    if list(duckdb_frame.columns) != list(spark_frame.columns):
        return [
            f"{name}: columns {list(duckdb_frame.columns)} on DuckDB, {list(spark_frame.columns)} on Spark"
        ]
    if len(duckdb_frame) != len(spark_frame):
        return [f"{name}: {len(duckdb_frame)} rows on DuckDB, {len(spark_frame)} on Spark"]
    left, right = comparable(duckdb_frame), comparable(spark_frame)
    for column in left.columns:
        a, b = left[column], right[column]
        if (
            pd.api.types.is_numeric_dtype(a)
            and pd.api.types.is_numeric_dtype(b)
            and not (pd.api.types.is_bool_dtype(a) or pd.api.types.is_bool_dtype(b))
        ):
            x, y = a.to_numpy(dtype="float64", na_value=np.nan), b.to_numpy(dtype="float64", na_value=np.nan)
            same = np.isclose(x, y, rtol=NUMBER_TOLERANCE, atol=NUMBER_TOLERANCE, equal_nan=True)
        else:
            same = (a.astype(object).where(a.notna(), None) == b.astype(object).where(b.notna(), None)) | (
                a.isna() & b.isna()
            )
            same = np.asarray(same, dtype=bool)
        if not same.all():
            row = int(np.flatnonzero(~same)[0])
            found.append(
                f"{name}.{column}: {int((~same).sum())} of {len(same)} rows differ, "
                f"e.g. row {row}: DuckDB {a.iloc[row]!r}, Spark {b.iloc[row]!r}"
            )
    return found


def test_every_public_table_is_the_same_on_duckdb_and_spark(builds):
    warehouse, spark_tables, _ = builds
    on_duckdb = public_tables(warehouse.parent / "target" / "manifest.json")
    names = sorted(path.name for path in spark_tables.iterdir())
    assert names == sorted(on_duckdb), "the engines' public tables differ"
    rejected = query(warehouse, f"select count(*) as n from {on_duckdb['rejected_rows']}").n.iloc[0]
    assert rejected >= len(LOAN_CELLS), "the messy sample's bad rows were not rejected"
    found = []
    for name in names:
        duckdb_frame = query(warehouse, f"select * from {on_duckdb[name]}")
        spark_frame = pd.read_parquet(spark_tables / name)[list(duckdb_frame.columns)]
        found += differences(name, duckdb_frame, spark_frame)
    assert not found, "\n".join(found)


def test_the_thrift_build_stopped_its_cluster_and_server(builds):
    _, _, cluster = builds
    for port in cluster["ports"]:
        with socket.socket() as probe:
            assert probe.connect_ex((HOST, port)) != 0, f"something still listens on {HOST}:{port}"
    # the workers name their folder, their executors and the executors' Python workers run in it
    left = []
    for process in psutil.process_iter(["pid", "cmdline", "cwd"]):
        if str(cluster["folder"]) in " ".join([process.info["cwd"] or "", *(process.info["cmdline"] or [])]):
            left.append(process.info)
    assert left == []


def test_a_changed_number_category_or_row_is_a_difference():
    table = pd.DataFrame({"loan_id": ["L1", "L2"], "segment": ["a", "b"], "score": [0.25, 0.5]})
    assert differences("t", table, table.iloc[::-1]) == []
    assert differences("t", table, table.assign(score=[0.25, 0.5 + 1e-12])) == []
    assert differences("t", table, table.assign(score=[0.25, 0.5 + 1e-6]))
    assert differences("t", table, table.assign(segment=["a", "c"]))
    assert differences("t", table, table.iloc[:1])
