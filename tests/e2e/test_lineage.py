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


def dbt_ls(tmp_path, dbt_vars: dict, *args: str) -> list[str]:
    command = [
        DBT,
        "ls",
        "--quiet",
        "--target-path",
        str(tmp_path / "target"),
        "--vars",
        json.dumps(dbt_vars),
    ]
    result = subprocess.run(
        [*command, *args],
        cwd=REPO,
        env=dbt_env(tmp_path / "warehouse.duckdb"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return sorted(result.stdout.split())


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    target = tmp_path_factory.mktemp("parse")
    command = [DBT, "parse", "--quiet", "--target-path", str(target)]
    subprocess.run(command, cwd=REPO, env=dbt_env(target / "warehouse.duckdb"), check=True)
    return json.loads((target / "manifest.json").read_text())


def test_every_input_is_a_source(tmp_path):
    assert dbt_ls(tmp_path, {}, "--resource-type", "source") == [
        "source:loan_recovery.ledger.orders",
        "source:loan_recovery.ledger.payments",
        "source:loan_recovery.ledger.plan",
        "source:loan_recovery.loan_recovery.loans",
    ]


def test_the_dag_has_the_same_nodes_for_the_sample_and_for_a_users_files(tmp_path):
    assert dbt_ls(tmp_path / "sample", {}) == dbt_ls(tmp_path / "user", USER_FILES)


def test_without_a_ledger_only_the_ledger_nodes_drop_out(tmp_path):
    # Data tests and unit tests go with the models they test.
    resources = ("--resource-type", "model", "source", "seed", "exposure")
    with_ledger = set(dbt_ls(tmp_path / "with", {}, *resources))
    without = set(dbt_ls(tmp_path / "without", {"ledger_path": ""}, *resources))

    dropped = with_ledger - without
    ledger_folders = (".ledger.", ".marts.repayment.", "vintage_curves", "roll_rates", "report_ledger")
    assert without < with_ledger
    assert dropped and all(any(part in node for part in ledger_folders) for node in dropped), sorted(dropped)
    assert {"source:loan_recovery.ledger.orders", "loan_recovery.marts.repayment.loan_repayment"} <= dropped


def test_readers_of_the_fitted_model_store_come_after_its_one_writer(manifest):
    models = {
        node["unique_id"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"
    }
    declared = {uid: node["config"]["meta"].get("fitted_model_store") for uid, node in models.items()}
    uses_store = {uid for uid, node in models.items() if "model_dir" in node["config"]}

    writers = [uid for uid, role in declared.items() if role == "writes"]
    readers = [uid for uid, role in declared.items() if role == "reads"]
    assert writers == ["model.loan_recovery.int_loans_scored"]
    assert set(writers) | set(readers) == uses_store, (
        "a model given model_dir must declare how it uses the store"
    )
    for reader in readers:
        assert writers[0] in models[reader]["depends_on"]["nodes"], f"{reader} must ref the store's writer"
