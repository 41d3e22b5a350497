"""The scheduler's list of the longest test files (tests/conftest.py) names files that exist, in its order."""

from tests.conftest import LONGEST_FILES, longest_first
from tools.dbt_process import REPO


def test_every_listed_file_exists():
    assert [path for path in LONGEST_FILES if not (REPO / path).exists()] == []


def test_listed_files_go_first_in_their_order_and_the_rest_after():
    scopes = ["tests/ml/test_risk.py", *reversed(LONGEST_FILES)]
    assert sorted(scopes, key=longest_first) == [*LONGEST_FILES, "tests/ml/test_risk.py"]
