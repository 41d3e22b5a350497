"""The generated portfolio the generator's tests share: 5,000 loans with their ledger, written once."""

from pathlib import Path

import pandas as pd
import pytest

from tools import synthetic
from tools.synthetic import generate_portfolio, write_ledger


@pytest.fixture(scope="session")
def portfolio() -> tuple[pd.DataFrame, pd.DataFrame, synthetic.Ledger]:
    return generate_portfolio(5_000, seed=7)


@pytest.fixture(scope="session")
def loans(portfolio) -> pd.DataFrame:
    return portfolio[0]


@pytest.fixture(scope="session")
def truth(portfolio) -> pd.DataFrame:
    return portfolio[1]


@pytest.fixture(scope="session")
def ledger_dir(portfolio, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("ledger")
    write_ledger(portfolio[2], directory)
    return directory


@pytest.fixture(scope="session")
def ledger(ledger_dir) -> dict[str, pd.DataFrame]:
    """The ledger as read back from its CSV files, with dates and timestamps parsed."""
    parse = {"orders": ["created_at", "put_at", "closed_at"], "plan": ["plan_at"], "payments": ["paid_at"]}
    return {name: pd.read_csv(ledger_dir / f"{name}.csv", parse_dates=dates) for name, dates in parse.items()}
