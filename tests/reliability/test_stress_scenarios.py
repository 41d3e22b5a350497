"""A bad stress scenario row, or a bad what-if, stops the build with one message naming it."""

import shutil
import subprocess

import pytest

from tests.dbt_runner import run_dbt_build
from tools.dbt_process import DBT, REPO, dbt_env

# Each test builds a warehouse of its own: left out of `make check`.
pytestmark = pytest.mark.slow

PROJECT_FILES = ["dbt_project.yml", "profiles.yml"]
PROJECT_DIRS = ["models", "macros", "seeds", "data-tests", "analyses"]
SELECT = ["+int_stress_scenarios"]

SEED_CASES = [
    (
        "stress_scenario_collateral.csv",
        "severe_recession,Boat,-0.5",
        "stress_scenario_collateral row ('severe_recession', 'Boat'): unknown loan type",
    ),
    (
        "stress_scenarios.csv",
        "depression,3,-1.5,0.1,-0.6,income falls by more than all of it",
        "stress_scenarios row 'depression': income_change -1.5 makes a negative income multiplier",
    ),
    (
        "stress_scenarios.csv",
        "mild_recession,3,-0.1,0.1,-0.6,the same name again",
        "stress_scenarios row 'mild_recession': the scenario name is on more than one row",
    ),
]


def project_with_row(tmp_path, seed: str, row: str):
    """A copy of the project whose seed has one more row."""
    project = tmp_path / "project"
    for name in PROJECT_DIRS:
        shutil.copytree(REPO / name, project / name)
    for name in PROJECT_FILES:
        shutil.copy(REPO / name, project / name)
    with open(project / "seeds" / seed, "a") as handle:
        handle.write(row + "\n")
    return project


@pytest.mark.parametrize(("seed", "row", "message"), SEED_CASES, ids=["loan type", "income", "duplicate"])
def test_a_bad_scenario_row_stops_the_build_naming_it(seed, row, message, tmp_path):
    project = project_with_row(tmp_path, seed, row)
    env = {**dbt_env(tmp_path / "warehouse.duckdb"), "DBT_PROJECT_DIR": str(project)}
    command = [DBT, "build", "--select", *SELECT, "--target-path", str(tmp_path / "target")]
    command += ["--log-path", str(tmp_path / "logs")]

    # Run from the repo root, as `make build` does: the input paths are relative to it.
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert output.count(message) >= 1, output[-3000:]
    assert "invalid stress scenarios: " + message in output
    assert "Traceback" not in output


WHAT_IF_CASES = [
    ({"loan_type": "Boat"}, "var what_if: unknown loan_type 'Boat'"),
    ({"income_change": -2}, "var 'what_if' key 'income_change' must be a number between -1 and 100"),
    ({"incomes": 0.2}, "var 'what_if' has unknown key(s) incomes"),
]


@pytest.mark.parametrize(("what_if", "message"), WHAT_IF_CASES, ids=["loan type", "income", "key"])
def test_a_bad_what_if_stops_the_build_naming_it(what_if, message, tmp_path):
    result = run_dbt_build(tmp_path, {"what_if": what_if}, SELECT)

    assert result.returncode != 0
    assert message in result.stdout, result.stdout[-3000:]
    assert "Traceback" not in result.stdout
