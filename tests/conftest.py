"""Fixtures shared by every test folder: the bundled sample's warehouse, built once per session."""

from pathlib import Path

import pytest

from tests.dbt_runner import REAL_DATASET, dbt_build


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory) -> Path:
    return dbt_build(tmp_path_factory.mktemp("sample"))


@pytest.fixture(scope="session")
def real_dataset() -> Path:
    if not REAL_DATASET.exists():
        pytest.skip(f"real dataset not found at {REAL_DATASET}")
    return REAL_DATASET


def pytest_collection_modifyitems(items):
    """Under `pytest -n` (pytest-xdist, `--dist loadgroup`), each test file runs on one worker, so its module
    fixtures build once; the Spark files share one worker, since Spark's local sessions and clusters contend
    for the same ports, cores and memory."""
    for item in items:
        folder = item.path.parent.name
        group = "spark" if folder == "spark" else str(item.path.relative_to(Path(__file__).parent))
        item.add_marker(pytest.mark.xdist_group(group))
