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
