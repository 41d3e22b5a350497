"""Every link and every repository path in README.md and docs/*.md exists, so the newcomer's map never points
at a moved file or a renamed section."""

import fnmatch
import re
import subprocess
from pathlib import Path

import pytest

from tests.dbt_runner import REPO

TRACKED = subprocess.run(
    ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
).stdout.split()
TOP_LEVEL = {path.split("/")[0] for path in TRACKED}
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def prose(markdown: str) -> str:
    """The page without its fenced code blocks (commands and SQL, not citations)."""
    return re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)


def cited_paths(markdown: str) -> list[str]:
    """Code spans that name a path in the repository: they start with one of its top-level entries (builds
    also write loan_recovery.duckdb, fitted_models/ and reports/, which are not committed)."""
    spans = re.findall(r"`([^`\s]+)`", prose(markdown))
    return sorted({span for span in spans if span.split("/")[0] in TOP_LEVEL and "<" not in span})


def links(markdown: str) -> list[str]:
    """Targets of Markdown links and images, web addresses left out (no network here)."""
    targets = re.findall(r"\]\(([^)\s]+)\)", prose(markdown))
    return sorted({target for target in targets if not re.match(r"[a-z]+:", target)})


def anchors(markdown: str) -> set[str]:
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens, -1, -2 on
    repeats."""
    seen: dict[str, int] = {}
    result = set()
    for heading in re.findall(r"^#+ (.+)$", prose(markdown), flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def is_tracked(path: str) -> bool:
    folder = path.rstrip("/") + "/"
    return any(fnmatch.fnmatch(file, path) or file.startswith(folder) for file in TRACKED)


def broken_links(page: Path, markdown: str) -> list[str]:
    broken = []
    for target in links(markdown):
        file, _, anchor = target.partition("#")
        linked = (page.parent / file).resolve() if file else page
        inside = linked.is_relative_to(REPO.resolve())
        exists = inside and is_tracked(linked.relative_to(REPO.resolve()).as_posix())
        if not exists or (anchor and anchor not in anchors(linked.read_text() if file else markdown)):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_link_resolves(page):
    assert broken_links(page, page.read_text()) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_path_cited_exists(page):
    assert [path for path in cited_paths(page.read_text()) if not is_tracked(path)] == []


def test_the_pages_cite_the_repository():
    """The checks above have something to check: the README maps the folders, the docs cite the code."""
    readme = (REPO / "README.md").read_text()
    docs = "".join(page.read_text() for page in PAGES[1:])

    assert len(cited_paths(readme)) > 30
    assert len(cited_paths(docs)) > 60
    # Every page under docs/ is linked from the README.
    assert {page.name for page in PAGES[1:]} <= {Path(link.partition("#")[0]).name for link in links(readme)}


def test_the_readme_stays_a_front_door():
    assert len((REPO / "README.md").read_text().splitlines()) < 400


def test_a_moved_file_is_caught():
    paths = cited_paths("see `macros/loan_recovery_columns.sql` and `seeds/risk_bands.csv`")

    assert [path for path in paths if not is_tracked(path)] == ["macros/loan_recovery_columns.sql"]


def test_a_broken_link_is_caught():
    page = REPO / "README.md"
    text = (
        "[ok](docs/decisioning.md) [gone](docs/nowhere.md)"
        " [section](docs/decisioning.md#the-actions-nobody-wrote) [here](#two-commands)"
        " [missing](#no-such-heading) [web](https://example.com/x)"
        "\n\n```sh\n[in code](docs/ignored.md)\n```\n\n## Two commands\n"
    )

    assert broken_links(page, text) == [
        "#no-such-heading",
        "docs/decisioning.md#the-actions-nobody-wrote",
        "docs/nowhere.md",
    ]
