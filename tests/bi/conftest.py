"""The BI endpoints of the shared sample build: its published DuckDB file, and a local PostgreSQL started
with `python -m tools.serve start` (as `make serve` does) on a free port, stopped after the tests whatever
happens, its folder removed."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tools.dbt_process import REPO
from tools.publish import publish
from tools.serve import Server, running_address


@pytest.fixture(scope="session")
def published(sample_warehouse) -> Path:
    path = sample_warehouse.with_name("published.duckdb")
    publish(sample_warehouse, path)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(command: str, folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.serve", command, "--dir", str(folder), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="session")
def endpoint(sample_warehouse, published):
    """A running endpoint loaded with the sample build: (Server, the output of `start`)."""
    # under /tmp with a+x, so that the unprivileged user PostgreSQL runs as (when root starts it) can reach it
    folder = Path(tempfile.mkdtemp(prefix="loan-recovery-pg-", dir="/tmp"))
    folder.chmod(0o755)
    port = _free_port()
    try:
        started = serve(
            "start",
            folder,
            "--port",
            str(port),
            "--published",
            str(published),
            "--warehouse",
            str(sample_warehouse),
            "--manifest",
            str(sample_warehouse.parent / "target" / "manifest.json"),
        )
        assert started.returncode == 0, started.stdout + started.stderr
        yield Server(folder, "127.0.0.1", port), started.stdout
    finally:
        stopped = serve("stop", folder)
        address = running_address(folder)
        if address is not None:  # pg_ctl could not stop it: end the server we started, by its pid
            os.kill(int((folder / "data" / "postmaster.pid").read_text().split()[0]), 9)
        assert stopped.returncode == 0 and address is None, stopped.stdout + stopped.stderr
        # Its data and log (150 to 350 MB), kept above only when the server would not stop.
        shutil.rmtree(folder)
