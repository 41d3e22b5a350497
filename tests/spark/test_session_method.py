"""dbt-spark's `session` method, the default of make build-spark (dbt in the Spark session of its own
process): the cross-engine test builds through Thrift, so this builds the loans' staging model, the seeds it
reads and their tests through a session, with the project's on-run-start hooks (the vars' check, the input
files as Spark tables)."""

import json
import subprocess
import sys

import pytest

from tests.dbt_runner import REPO

pytestmark = pytest.mark.slow


def test_dbt_builds_through_the_spark_session_of_its_process(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.spark_build",
            "--method",
            "session",
            "--select",
            "+stg_loan_recovery__loans",
            "--warehouse-dir",
            str(tmp_path / "warehouse"),
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "Thrift" not in result.stdout
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    statuses = {row["unique_id"]: row["status"] for row in results}
    assert statuses["model.loan_recovery.stg_loan_recovery__loans"] == "success"
    assert len(statuses) > 5 and set(statuses.values()) == {"success", "pass"}, statuses
