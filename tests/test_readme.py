"""Every repository path the README cites exists, so the newcomer's map never points at a moved file."""

import fnmatch
import re
import subprocess

from tests.dbt_runner import REPO

TRACKED = subprocess.run(
    ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
).stdout.split()
TOP_LEVEL = {path.split("/")[0] for path in TRACKED}


def cited_paths(readme: str) -> list[str]:
    """Code spans and links that name a path in the repository: they start with one of its top-level entries
    (builds also write loan_recovery.duckdb, fitted_models/ and reports/, which are not committed)."""
    spans = re.findall(r"`([^`\s]+)`", readme) + re.findall(r"\]\(([^)\s]+)\)", readme)
    return sorted({span for span in spans if span.split("/")[0] in TOP_LEVEL and "<" not in span})


def is_tracked(path: str) -> bool:
    folder = path.rstrip("/") + "/"
    return any(fnmatch.fnmatch(file, path) or file.startswith(folder) for file in TRACKED)


def test_every_path_the_readme_cites_exists():
    paths = cited_paths((REPO / "README.md").read_text())

    assert len(paths) > 30, paths
    assert [path for path in paths if not is_tracked(path)] == []


def test_a_moved_file_is_caught():
    paths = cited_paths("see `macros/loan_recovery_columns.sql` and `seeds/risk_bands.csv`")

    assert [path for path in paths if not is_tracked(path)] == ["macros/loan_recovery_columns.sql"]
