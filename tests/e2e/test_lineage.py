"""dbt sees every dependency: every input is a source, the DAG has one shape whatever the vars, and the files
of the fitted-model store are written and read in DAG order."""

import json
import subprocess

import pytest

from tests.dbt_runner import DBT, REPO, dbt_env

USER_FILES = {
    "loan_recovery_path": "/data/loans.parquet",
    "ledger_path": "/data/ledger",
    "ledger_format": "parquet",
}
NO_LEDGER = {"ledger_path": ""}


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    """`dbt ls` of every node, as unique_id -> node, for the given vars (each set listed once per module)."""
    listed: dict[str, dict[str, dict]] = {}

    def list_nodes(dbt_vars: dict) -> dict[str, dict]:
        key = json.dumps(dbt_vars, sort_keys=True)
        if key not in listed:
            workdir = tmp_path_factory.mktemp("ls")
            command = [DBT, "ls", "--quiet", "--output", "json", "--target-path", str(workdir), "--vars", key]
            command += [
                "--output-keys",
                "unique_id",
                "resource_type",
                "original_file_path",
                "config",
                "depends_on",
            ]
            result = subprocess.run(
                command, cwd=REPO, env=dbt_env(workdir / "warehouse.duckdb"), capture_output=True, text=True
            )
            assert result.returncode == 0, result.stdout[-3000:]
            rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
            listed[key] = {row["unique_id"]: row for row in rows}
        return listed[key]

    return list_nodes


def of_type(nodes: dict[str, dict], *resource_types: str) -> set[str]:
    return {uid for uid, node in nodes.items() if node["resource_type"] in resource_types}


def test_every_input_is_a_source(nodes):
    assert sorted(of_type(nodes({}), "source")) == [
        "source.loan_recovery.ledger.orders",
        "source.loan_recovery.ledger.payments",
        "source.loan_recovery.ledger.plan",
        "source.loan_recovery.loan_recovery.loans",
    ]


def test_the_dag_has_the_same_nodes_for_the_sample_and_for_a_users_files(nodes):
    assert set(nodes({})) == set(nodes(USER_FILES))


def test_without_a_ledger_only_the_ledger_nodes_drop_out(nodes):
    # Data tests and unit tests go with the models they test.
    resources = ("model", "source", "seed", "exposure")
    with_ledger, without = of_type(nodes({}), *resources), of_type(nodes(NO_LEDGER), *resources)

    dropped = with_ledger - without
    ledger_parts = ("/ledger/", "/repayment/", "vintage_curves", "roll_rates", "report_ledger")
    assert without < with_ledger
    for node in dropped:
        path = nodes({})[node]["original_file_path"]
        assert any(part in node or part in path for part in ledger_parts), (node, path)
    assert {"source.loan_recovery.ledger.orders", "model.loan_recovery.loan_repayment"} <= dropped


def test_readers_of_the_fitted_model_store_come_after_its_one_writer(nodes):
    models = {uid: node for uid, node in nodes({}).items() if node["resource_type"] == "model"}
    declared = {uid: node["config"]["meta"].get("fitted_model_store") for uid, node in models.items()}
    uses_store = {uid for uid, node in models.items() if "risk_model_dir" in node["config"]}

    writers = [uid for uid, role in declared.items() if role == "writes"]
    readers = [uid for uid, role in declared.items() if role == "reads"]
    assert writers == ["model.loan_recovery.int_loans_scored"]
    assert set(writers) | set(readers) == uses_store, (
        "a model given risk_model_dir must declare how it uses the store"
    )
    for reader in readers:
        assert writers[0] in models[reader]["depends_on"]["nodes"], f"{reader} must ref the store's writer"
