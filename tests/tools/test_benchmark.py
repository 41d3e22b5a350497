"""The benchmark's pure parts: stage spans, stage of a node, replay order, the tables it reports, and the
Spark row's memory reading and section (no Spark needed)."""

import json
import os
import subprocess
import sys

import duckdb
import numpy as np
import pytest

from tools.benchmark import __main__ as bench_main
from tools.benchmark import spark, timing
from tools.benchmark.render import stage_table, summary_table, target_table
from tools.benchmark.replay import profile_settings, replay_differences, topological_order
from tools.benchmark.runs import (
    DAILY_BATCH_MODULUS,
    NEW_LOAN_MODULUS,
    add_daily_payments,
    add_new_loans,
    append_rows,
    build_vars,
    oracle_auc,
    selected_auc,
)
from tools.benchmark.timing import (
    STAGES,
    STARTUP_STAGE,
    Measured,
    SizeResult,
    stage_of,
    stage_seconds,
    union_seconds,
)
from tools.dbt_process import REPO


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        ([], 0.0),
        ([(0.0, 2.0)], 2.0),
        ([(0.0, 2.0), (3.0, 4.0)], 3.0),
        ([(0.0, 2.0), (1.0, 3.0)], 3.0),
        ([(1.0, 3.0), (0.0, 5.0), (4.0, 6.0)], 6.0),
        ([(0.0, 1.0), (1.0, 2.0)], 2.0),
        ([(5.0, 6.0), (0.0, 1.0), (0.5, 0.7)], 2.0),
    ],
)
def test_union_counts_overlapping_time_once(intervals, expected):
    assert union_seconds(intervals) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("resource_type", "path", "language", "name", "stage"),
    [
        ("seed", "seeds/risk_bands.csv", None, "risk_bands", "seeds"),
        ("model", "models/staging/ledger/stg_ledger__plan.sql", "sql", "stg_ledger__plan", "staging"),
        ("model", "models/intermediate/int_loans_validated.sql", "sql", "int_loans_validated", "validation"),
        (
            "model",
            "models/intermediate/ledger/int_ledger_plan_validated.sql",
            "sql",
            "int_ledger_plan_validated",
            "validation",
        ),
        (
            "model",
            "models/intermediate/ledger/int_loans_repayment.sql",
            "sql",
            "int_loans_repayment",
            "ledger",
        ),
        ("model", "models/intermediate/int_loans_scored.py", "python", "int_loans_scored", "ML"),
        ("model", "models/marts/risk/model_runs.py", "python", "model_runs", "ML"),
        ("model", "models/marts/risk/risk_scores.sql", "sql", "risk_scores", "marts"),
        (
            "model",
            "models/intermediate/int_loan_types_loss_severity.sql",
            "sql",
            "int_loan_types_loss_severity",
            "other",
        ),
        (
            "test",
            "tests/portfolio/assert_shares_sum_to_one.sql",
            "sql",
            "assert_shares_sum_to_one",
            "data tests",
        ),
        (
            "model",
            "models/intermediate/stress/int_loans_stressed.py",
            "python",
            "int_loans_stressed",
            "stress",
        ),
        ("model", "models/marts/stress/stress_results.sql", "sql", "stress_results", "stress"),
        ("unit_test", "", None, "", "other"),
        ("operation", "", None, "", "other"),
    ],
)
def test_every_node_falls_in_its_layer(resource_type, path, language, name, stage):
    assert stage_of(resource_type, path, language, name) == stage
    assert stage in STAGES


def _result(unique_id: str, started: str, completed: str) -> dict:
    return {
        "unique_id": unique_id,
        "timing": [
            {
                "name": "compile",
                "started_at": f"2026-01-01T00:00:{started}Z",
                "completed_at": f"2026-01-01T00:00:{started}Z",
            },
            {
                "name": "execute",
                "started_at": f"2026-01-01T00:00:{started}Z",
                "completed_at": f"2026-01-01T00:00:{completed}Z",
            },
        ],
    }


def test_stage_seconds_take_the_union_per_stage_and_leave_the_rest_to_start_up():
    manifest = {
        "nodes": {
            "model.p.a": {
                "resource_type": "model",
                "original_file_path": "models/staging/a.sql",
                "language": "sql",
                "name": "a",
            },
            "model.p.b": {
                "resource_type": "model",
                "original_file_path": "models/staging/b.sql",
                "language": "sql",
                "name": "b",
            },
            "test.p.t": {
                "resource_type": "test",
                "original_file_path": "tests/t.sql",
                "language": "sql",
                "name": "t",
            },
        }
    }
    # a and b run on two threads at once; the test runs after both; a unit test is not in manifest["nodes"].
    run_results = {
        "results": [
            _result("model.p.a", "10", "14"),
            _result("model.p.b", "12", "16"),
            _result("test.p.t", "16", "17"),
            _result("unit_test.p.a.case", "17", "18"),
        ]
    }
    seconds = stage_seconds(run_results, manifest, wall_seconds=20.0)
    assert seconds["staging"] == pytest.approx(6.0)
    assert seconds["data tests"] == pytest.approx(1.0)
    assert seconds["other"] == pytest.approx(1.0)
    assert seconds[STARTUP_STAGE] == pytest.approx(20.0 - 8.0)
    assert seconds["ML"] == 0.0


def test_topological_order_puts_each_node_after_its_upstreams_and_repeats():
    dependencies = {
        "test.x": ["model.c"],
        "model.c": ["model.a", "model.b"],
        "model.b": ["seed.s", "source.outside"],
        "model.a": [],
        "seed.s": [],
    }
    order = topological_order(dependencies)
    assert order == ["model.a", "seed.s", "model.b", "model.c", "test.x"]
    assert topological_order(dict(reversed(dependencies.items()))) == order


def test_topological_order_refuses_a_cycle():
    with pytest.raises(ValueError, match="cycle"):
        topological_order({"a": ["b"], "b": ["a"]})


PROFILE = """
loan_recovery:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('DUCKDB_PATH', 'loan_recovery.duckdb') }}"
      threads: 2
      settings:
        memory_limit: "{{ env_var('DUCKDB_MEMORY_LIMIT', '3GB') }}"
        preserve_insertion_order: false
"""


def test_the_replay_gets_the_profiles_duckdb_settings_with_env_vars_rendered():
    assert profile_settings(PROFILE, {}) == {"memory_limit": "3GB", "preserve_insertion_order": "False"}
    assert profile_settings(PROFILE, {"DUCKDB_MEMORY_LIMIT": "8GB"})["memory_limit"] == "8GB"
    without_settings = PROFILE.split("      settings:")[0]
    assert profile_settings(without_settings, {}) == {}


def _size(
    loans: int, build_seconds: float, with_references: bool = True, has_ledger: bool = True
) -> SizeResult:
    stages = dict.fromkeys(STAGES, 1.0)
    result = SizeResult(
        loans=loans,
        has_ledger=has_ledger,
        generation=Measured(2.0, 1 * 1024**3),
        build=Measured(build_seconds, 3 * 1024**3),
        stages=stages,
        our_auc=0.84,
        oracle_auc=0.845,
    )
    if with_references:
        result.source, result.source_auc = Measured(build_seconds * 6, 2 * 1024**3), 0.55
        result.replay = Measured(build_seconds / 1.2, 2 * 1024**3)
        result.replay_stages = dict.fromkeys(STAGES[1:], 1.0)
        result.daily_batch = Measured(build_seconds / 10, 2 * 1024**3)
    return result


def test_targets_are_judged_at_one_million_loans():
    results = [_size(100_000, 8.0), _size(1_000_000, 80.0)]
    table = target_table(results)
    lines = table.splitlines()
    assert lines[0] == "| target | measured | status |"
    assert lines[2].endswith("| 6.00x, AUC 0.8400 vs 0.5500 | met |")
    assert lines[3].endswith("| 0.8400 vs 0.8450 (-0.0050) | met |")
    assert lines[4].endswith("| 3.00 GiB | met |")
    assert lines[5].endswith("| 8.0 s, 10% | met |")
    assert lines[6].endswith("| 1.0 s, 1.2% | met |")
    assert "10M" in lines[7] and lines[7].endswith("| not measured |")
    assert lines[8].endswith("| 1.20x | met |")
    assert lines[9].endswith("| 10.00x | met |")


def test_targets_are_unmet_when_slower_or_worse_and_unmeasured_without_data():
    slow = _size(1_000_000, 200.0)
    slow.source_auc = 0.9
    slow.oracle_auc = 0.82  # a model above the true probability learnt something it should not have seen
    slow.build.max_rss_bytes = 4 * 1024**3
    slow.stages["stress"] = 41.0
    lines = target_table([_size(100_000, 10.0), slow]).splitlines()
    assert lines[2].endswith("| unmet |")
    assert lines[3].endswith("| 0.8400 vs 0.8200 (+0.0200) | unmet |")
    assert lines[4].endswith("| 4.00 GiB | unmet |")
    assert lines[6].endswith("| 41.0 s, 20.5% | unmet |")
    assert lines[9].endswith("| 20.00x | unmet |")
    slow.daily_batch = Measured(100.0, 1)
    assert target_table([slow]).splitlines()[5].endswith("| 100.0 s, 50% | unmet |")
    assert all(
        line.endswith("| not measured |") for line in target_table([_size(10_000, 5.0)]).splitlines()[2:]
    )


def test_a_target_measured_on_a_loaded_machine_says_so(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    full = _size(1_000_000, 80.0)
    full.daily_batch.max_load = 2.0
    assert not full.daily_batch.loaded
    assert target_table([full]).splitlines()[5].endswith("| met |")
    full.daily_batch.max_load = 4.5
    assert (
        target_table([full]).splitlines()[5].endswith("| met (loaded: load average up to 4.5 on 2 cores) |")
    )
    # Memory does not depend on the load: its status stays plain.
    assert target_table([full]).splitlines()[4].endswith("| met |")


def test_run_measured_records_the_load_average_while_the_command_runs(tmp_path, monkeypatch):
    loads = iter([0.5, 7.0, 1.0, 1.0, 1.0])
    monkeypatch.setattr(os, "getloadavg", lambda: (next(loads, 1.0), 0.0, 0.0))
    monkeypatch.setattr(timing, "LOAD_SAMPLE_SECONDS", 0.05)
    measured = timing.run_measured([sys.executable, "-c", "import time; time.sleep(0.5)"], tmp_path / "log")
    assert measured.max_load == 7.0


def test_run_measured_reports_the_commands_own_peak_memory_not_the_benchs(tmp_path):
    held = np.ones(400 * 2**20 // 8)  # the bench holds 400 MiB while the command runs
    small = timing.run_measured([sys.executable, "-c", "pass"], tmp_path / "small.log")
    grows = timing.run_measured(
        [sys.executable, "-c", "import numpy; numpy.ones(300 * 2**20 // 8)"], tmp_path / "grows.log"
    )
    assert held.sum() > 0
    assert small.max_rss_bytes < 100 * 2**20
    assert 300 * 2**20 < grows.max_rss_bytes < 500 * 2**20


def test_run_measured_fails_with_the_commands_exit_code_and_log(tmp_path):
    command = [sys.executable, "-c", "import sys; print('the end'); sys.exit(3)"]
    with pytest.raises(RuntimeError, match=r"failed \(3\)[^\n]*\n(.|\n)*the end"):
        timing.run_measured(command, tmp_path / "log")


def test_stage_table_has_a_row_per_stage_and_loans_per_second():
    lines = stage_table([_size(10_000, 4.0), _size(10_000_000, 500.0, False, False)]).splitlines()
    assert lines[0] == (
        "| stage | what | 10k s | 10k loans/s | 10M (snapshot only) s | 10M (snapshot only) loans/s |"
    )
    assert len(lines) == 2 + len(STAGES) + 1
    assert lines[2].startswith(f"| {STARTUP_STAGE} |") and lines[2].endswith(
        "| 1.0 | 10,000 | 1.0 | 10,000,000 |"
    )
    assert lines[-1].endswith("| 4.0 | 2,500 | 500.0 | 20,000 |")


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_summary_table_shows_ratios_and_growth_only_where_measured():
    lines = summary_table([_size(100_000, 10.0), _size(1_000_000, 90.0, with_references=False)]).splitlines()
    header, first, second = _cells(lines[0]), _cells(lines[2]), _cells(lines[3])
    assert header[-4:] == ["dbt overhead", "speed-up", "growth vs N/10", "daily batch s (share)"]
    assert first[-4:] == ["1.20x", "6.00x", "", "1.0 (10%)"]
    assert first[5] == "8.3 (5.0 / 1.0 / 1.0)"
    assert second[-4:] == ["", "", "9.00x", ""]
    assert first[header.index("AUC ours / oracle / source")] == "0.8400 / 0.8450 / 0.5500"
    second_auc = second[header.index("AUC ours / oracle / source")]
    assert second_auc == "0.8400 / 0.8450 / -"


def test_the_daily_batch_adds_one_payment_on_the_as_of_date_for_one_loan_in_a_hundred(tmp_path):
    # Loan L<k> paid k on day k and k + 5000 on day k + 5000: its latest payment is k + 5000.
    payments = tmp_path / "payments.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            "copy (select 'L' || (i % 5000) as order_id, timestamp '2010-01-01' + to_days(cast(i as integer))"
            f" as paid_at, cast(i as double) as paid_sum from range(10000) as t(i)) to '{payments}'"
        )
        chosen = connection.execute(
            f"select count(*) from range(5000) as t(i) where hash('L' || i) % {DAILY_BATCH_MODULUS} = 0"
        ).fetchone()[0]

        added = add_daily_payments(payments, "2026-06-30")

        new = connection.execute(
            f"select order_id, paid_sum from read_parquet('{payments}')"
            " where paid_at = timestamp '2026-06-30 20:00:00'"
        ).fetchall()
        (rows,) = connection.execute(f"select count(*) from read_parquet('{payments}')").fetchone()
    assert added == chosen == len(new) and 20 <= added <= 90
    assert rows == 10000 + added
    assert all(paid_sum == int(order_id[1:]) + 5000 for order_id, paid_sum in new)


def test_the_daily_batch_adds_a_new_loan_with_its_ledger_for_one_loan_in_a_thousand(tmp_path):
    (tmp_path / "ledger").mkdir()
    ids = "'L' || i"
    three_rows_each = "range(20000) as t(i), range(3) as u(j)"
    tables = {
        "loan_recovery.parquet": f"select {ids} as Loan_ID, i as Loan_Amount from range(20000) as t(i)",
        "ledger/orders.parquet": f"select {ids} as order_id, i as issued_sum from range(20000) as t(i)",
        "ledger/plan.parquet": f"select {ids} as order_id, j as plan_sum_total from {three_rows_each}",
        "ledger/payments.parquet": f"select {ids} as order_id, 1.0 as paid_sum from range(20000) as t(i)",
    }
    with duckdb.connect() as connection:
        for name, query in tables.items():
            connection.execute(f"copy ({query}) to '{tmp_path / name}'")
        chosen = connection.execute(
            f"select count(*) from range(20000) as t(i) where hash('L' || i) % {NEW_LOAN_MODULUS} = 1"
        ).fetchone()[0]

        added = add_new_loans(tmp_path, 1)
        added_again = add_new_loans(tmp_path, 2)

        counts = {
            name: connection.execute(
                f"select count(*) from read_parquet('{tmp_path / name}') where contains(#1, '_new')"
            ).fetchone()[0]
            for name in tables
        }
    assert added == added_again == chosen and 5 <= chosen <= 40
    assert counts == {
        "loan_recovery.parquet": 2 * chosen,
        "ledger/orders.parquet": 2 * chosen,
        "ledger/plan.parquet": 6 * chosen,
        "ledger/payments.parquet": 2 * chosen,
    }


def test_a_grown_file_keeps_every_row_at_its_position(tmp_path):
    # Many row groups read in parallel, and new rows aggregated from the same file: a plain `union all` of the
    # two moved the old rows (it did on 22M payments, and here: the file then started at row 163840).
    path = tmp_path / "payments.parquet"
    rows = 2_000_000
    with duckdb.connect() as connection:
        connection.execute("set threads = 4")
        connection.execute(
            f"copy (select i, 'L' || (i * 7919 % 100003) as order_id from range({rows}) as t(i))"
            f" to '{path}' (row_group_size 10000)"
        )
        added = (
            f"select max(i) as i, order_id from read_parquet('{path}')"
            " where hash(order_id) % 100 = 0 group by order_id"
        )

        append_rows(connection, path, added)

        grown = connection.execute(
            f"select i from read_parquet('{path}', file_row_number = true) order by file_row_number"
        ).fetchnumpy()["i"]
    assert (grown[:rows] == range(rows)).all()
    assert len(grown) > rows


def _stat(proc, pid: int, command: str, ppid: int, rss_pages: int) -> None:
    # proc_pid_stat(5): pid (comm) state ppid pgrp ... with rss the 24th field.
    fields = ["S", str(ppid)] + ["0"] * 19 + [str(rss_pages)] + ["0"] * 5
    (proc / str(pid)).mkdir()
    (proc / str(pid) / "stat").write_text(f"{pid} ({command}) {' '.join(fields)}\n")


def test_the_process_tree_memory_sums_every_descendant_and_nothing_else(tmp_path):
    _stat(tmp_path, 100, "python", 1, 1000)  # the benchmark itself: not counted
    _stat(tmp_path, 101, "python -m tools.spark_build", 100, 10)
    _stat(tmp_path, 102, "java", 101, 200)
    _stat(tmp_path, 103, "python3) (worker", 102, 30)  # a name with spaces and parentheses
    _stat(tmp_path, 104, "python3", 103, 4)
    _stat(tmp_path, 200, "other", 1, 5000)  # not a descendant
    (tmp_path / "self").mkdir()  # not a process folder
    page = os.sysconf("SC_PAGE_SIZE")
    assert spark.descendants_rss_bytes(100, tmp_path) == (10 + 200 + 30 + 4) * page
    assert spark.descendants_rss_bytes(102, tmp_path) == (30 + 4) * page
    assert spark.descendants_rss_bytes(104, tmp_path) == 0


def _spark_result(**changes) -> spark.SparkResult:
    steps = dict(zip(spark.STEPS, [15.0, 600.0, 150.0, 75.0], strict=True))
    result = spark.SparkResult(1_000_000, Measured(140.0, 3 * 1024**3), 70.0)
    result.build, result.tree_peak_bytes, result.steps = Measured(840.0, 4 * 1024**3), 6 * 1024**3, steps
    result.load_average = (3.0, 4.5, 5.25)
    for name, value in changes.items():
        setattr(result, name, value)
    return result


def test_the_spark_row_sits_next_to_the_duckdb_row_with_its_split_and_ratio():
    lines = spark.engine_table([_spark_result()]).splitlines()
    header, duckdb_row, spark_row = _cells(lines[0]), _cells(lines[2]), _cells(lines[3])
    assert (
        header[-2] == "split s (Spark session start / dbt above the ML step / ML job / dbt below the ML step)"
    )
    assert duckdb_row == [
        "1,000,000",
        "DuckDB (`dbt build`)",
        "140.0",
        "3.00 GiB",
        "ML stage 70.0",
        "1.00x",
    ]
    assert spark_row[2:] == ["840.0", "6.00 GiB", "15.0 / 600.0 / 150.0 / 75.0", "6.00x"]


def test_a_skipped_spark_row_says_why():
    skipped = _spark_result(build=None, tree_peak_bytes=None, steps={}, load_average=None, skipped="no Java")
    lines = spark.engine_table([skipped]).splitlines()
    assert _cells(lines[3])[:3] == ["1,000,000", "Spark", "skipped: no Java"]
    assert "Load average" not in spark.engine_section([skipped], "cmd")


def test_spark_is_skipped_with_the_reason_when_its_extra_or_java_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(spark.importlib.util, "find_spec", lambda name: None)
    assert "make spark-env" in spark.missing_spark()
    result = spark.spark_build(tmp_path, 1_000, True, Measured(1.0, 1), 0.5)
    assert result.build is None and "make spark-env" in result.skipped
    # With the extra found (installed or not here), a missing Java is the reason.
    monkeypatch.setattr(spark.importlib.util, "find_spec", lambda name: object())

    def no_java():
        raise SystemExit("Spark needs Java 17 or 21")

    monkeypatch.setattr(spark, "check_java", no_java)
    assert spark.missing_spark() == "Spark needs Java 17 or 21"


def test_the_spark_section_replaces_its_old_self_and_leaves_the_other_sections():
    section = spark.engine_section([_spark_result()], "python -m tools.benchmark --spark-only")
    assert section.startswith(spark.ENGINE_HEADING)
    assert "3.0 / 4.5 / 5.2" in section and "python -m tools.benchmark --spark-only" in section
    results = "# Benchmark\n\n## Targets\n\nt\n"
    added = spark.with_engine_section(results, section)
    assert added.startswith(results) and added.endswith(section)
    old = added + "\n## Later\n\nkept\n"
    replaced = spark.with_engine_section(old, f"{spark.ENGINE_HEADING}\n\nnew\n")
    assert replaced == f"{results}\n{spark.ENGINE_HEADING}\n\nnew\n\n## Later\n\nkept\n"


def test_both_engines_read_the_same_files(tmp_path):
    with_ledger = build_vars(tmp_path, True, tmp_path / "models-spark")
    assert with_ledger == {
        "loan_recovery_path": str(tmp_path / "loan_recovery.parquet"),
        "ledger_path": str(tmp_path / "ledger"),
        "ledger_format": "parquet",
        "risk_model_dir": str(tmp_path / "models-spark"),
    }
    assert build_vars(tmp_path, False, tmp_path)["ledger_path"] == ""


def test_our_auc_is_the_selected_runs(sample_warehouse):
    """The bench reports the AUC of the run whose scores drive strategy (it once read the algorithm from a
    config key that had been renamed, and stopped)."""
    with duckdb.connect(str(sample_warehouse), read_only=True) as connection:
        (algorithm,) = connection.execute(
            "select any_value(algorithm) from intermediate.int_loans_scored where is_selected"
        ).fetchone()
        (expected,) = connection.execute(
            "select cv_roc_auc from model_runs where algorithm = ? order by fitted_at desc limit 1",
            [algorithm],
        ).fetchone()
    assert selected_auc(sample_warehouse) == pytest.approx(expected)


def test_the_oracle_ranks_only_the_loans_the_selected_run_scored_out_of_fold(tmp_path):
    """The oracle is measured on the loans our AUC is: the selected run's out-of-fold loans. On the others the
    true probability ranks the outcomes backwards here, so counting any of them would lower its AUC."""
    truth, database = tmp_path / "truth.parquet", tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create schema intermediate")
        connection.execute(
            """
            create table intermediate.int_loans_scored as
            select * from (values
                ('a', true, true), ('b', true, true), ('c', true, true),
                ('d', true, false), ('e', false, true), ('a', false, true)
            ) as scored(loan_id, is_selected, is_out_of_fold)
            """
        )
        connection.execute(
            """
            create table loan_features as
            select * from (values ('a', true), ('b', false), ('c', false), ('d', false), ('e', true))
                as features(loan_id, is_not_fully_recovered)
            """
        )
        connection.execute(
            f"""
            copy (select * from (values ('a', 0.9), ('b', 0.2), ('c', 0.1), ('d', 0.95), ('e', 0.05))
                as truth(loan_id, true_probability_not_recovered)) to '{truth}'
            """
        )
    assert oracle_auc(database, truth) == 1.0


@pytest.mark.slow
def test_the_replay_of_the_sample_build_does_what_dbt_did(sample_warehouse, tmp_path):
    """The bench's replay (DuckDB alone, Python models called directly) gives every seed and model dbt's row
    count and every data test dbt's failing rows. It once lacked the plugin's ml_var_choices(), and then
    stopped on the ephemeral models, which have no relation to count."""
    target = sample_warehouse.parent / "target"
    replayed, out = tmp_path / "warehouse.duckdb", tmp_path / "replay.json"
    command = [sys.executable, "-m", "tools.benchmark", "replay", str(target / "manifest.json")]
    command += [str(replayed), str(tmp_path / "models"), str(out)]
    replay = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert replay.returncode == 0, replay.stderr[-3000:]
    manifest = json.loads((target / "manifest.json").read_text())
    run_results = json.loads((target / "run_results.json").read_text())
    failures = json.loads(out.read_text())["failures"]
    assert replay_differences(manifest, run_results, failures, sample_warehouse, replayed) == []


DBT_FAILURE = """dbt build --vars '{}' failed (1); see /tmp/bench/loans-10000000/logs/dbt-build.log:
\x1b[0m10:29:07  \x1b[31mCompleted with 2 errors, 0 partial successes, and 1 warning:\x1b[0m
\x1b[0m10:29:07    Runtime Error in test assert_strategy_recommends_the_plan_eligibly (data-tests/x.sql)
\x1b[0m10:29:07    Out of Memory Error: failed to pin block of size 256.0 KiB (1.3 GiB/1.3 GiB used)
"""


def test_a_failed_size_is_noted_with_dbts_first_error_and_its_log():
    assert bench_main.failure_note(10_000_000, RuntimeError(DBT_FAILURE)) == (
        "10,000,000 loans: Runtime Error in test assert_strategy_recommends_the_plan_eligibly"
        " (data-tests/x.sql): Out of Memory Error: failed to pin block of size 256.0 KiB"
        " (1.3 GiB/1.3 GiB used)"
        " (log: `/tmp/bench/loans-10000000/logs/dbt-build.log`)"
    )


def test_a_size_that_fails_is_recorded_and_the_others_still_written(tmp_path, monkeypatch):
    """A failure at 10M once stopped the bench before it wrote the 100k and 1M figures it had measured."""

    def bench_size(loans, *args):
        if loans == 10_000_000:
            raise RuntimeError(DBT_FAILURE)
        (tmp_path / f"loans-{loans}").mkdir()
        return _size(loans, loans / 10_000), None

    monkeypatch.setattr(bench_main, "bench_size", bench_size)
    results = tmp_path / "results.md"
    arguments = ["--loans", "100000", "1000000", "--with-10m", "--spark-loans", "--public-resample-loans"]
    with pytest.raises(SystemExit, match="1 size"):
        bench_main.main([*arguments, "--workdir", str(tmp_path), "--results", str(results)])
    text = results.read_text()
    assert "## Failed\n\n- 10,000,000 loans: Runtime Error in test" in text
    assert "| 100,000 | yes |" in text and "| 1,000,000 | yes |" in text


def test_the_bench_runs_as_a_module():
    """`make bench` runs `python -m tools.benchmark`: a module that only defines main() would exit at once."""
    completed = subprocess.run(
        [sys.executable, "-m", "tools.benchmark", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert completed.returncode == 0 and completed.stdout.startswith("usage: python -m tools.benchmark")
