"""Any sequence of builds gives the tables of a fresh build: a seeded random walk over small generated inputs.

Each step builds one input onto the same warehouse: a book or another one (the same ids LN_1.., other
loans), some loans removed or re-added, the ledger on or off, the as-of date moved either way, another
performance window; or a bad input (a file missing a column, a ledger of another book); or a build killed part
way. After each successful build every table equals, by content hash (build logs excluded), a fresh build of
the same inputs; after each failed one the published file is unchanged and the warehouse answers queries. The
seed is printed; BUILD_SEQUENCE_SEED=<seed> replays a sequence.
"""

import datetime
import json
import os
import random
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import UNTESTED, WITHOUT_UNIT_TESTS, run_dbt, start_dbt
from tests.reliability.test_incremental import BUILD_LOG_TABLES, table_hashes
from tools.publish import publish
from tools.synthetic import SNAPSHOT_DATE
from tools.synthetic.__main__ import main as generate
from tools.synthetic.daily import LEDGER_TABLES, read_table, write_table

pytestmark = pytest.mark.slow

LOANS = 300
# Tables that record builds, not inputs: the history survives a change of input by design, and the early
# warnings read it (a score's rise over the last builds), so they depend on the builds before too.
SEQUENCE_LOG_TABLES = BUILD_LOG_TABLES | {"strategy_history", "early_warning_loans", "rpt_early_warning"}
# The step kinds and how often the walk draws each.
STEP_WEIGHTS = {"build": 6, "bad_columns": 1, "other_books_ledger": 1, "killed": 1}


@dataclass(frozen=True)
class Inputs:
    """What one build reads: a book, with loans removed, its ledger or none, an as-of date and a window."""

    book: int
    removed_share: float
    ledger: bool
    as_of_days: int
    months_on_book: int

    @property
    def key(self) -> str:
        ledger = "ledger" if self.ledger else "noledger"
        return f"book{self.book}-rm{self.removed_share}-{ledger}-asof{self.as_of_days}-m{self.months_on_book}"


def draw_inputs(rng: random.Random) -> Inputs:
    return Inputs(
        book=rng.choice([1, 2]),
        removed_share=rng.choice([0.0, 0.0, 0.1, 0.3]),
        ledger=rng.random() < 0.7,
        as_of_days=rng.choice([0, 0, 7, 30]),
        months_on_book=rng.choice([6, 6, 3]),
    )


def draw_walk(rng: random.Random) -> list[tuple[str, Inputs]]:
    """3-6 steps; the first builds, and so does the last, so that the walk ends on a comparison."""
    steps = [("build", draw_inputs(rng))]
    kinds, weights = zip(*STEP_WEIGHTS.items(), strict=True)
    for _ in range(rng.randint(1, 4)):
        steps.append((rng.choices(kinds, weights)[0], draw_inputs(rng)))
    return steps + [("build", draw_inputs(rng))]


def book_folder(root: Path, book: int) -> Path:
    folder = root / f"book{book}"
    if not folder.exists():
        generate(
            [
                "--loans",
                str(LOANS),
                "--seed",
                str(book),
                "--out",
                str(folder),
                "--ledger-out",
                str(folder / "ledger"),
            ]
            + ["--timing", "realistic"]
        )
    return folder


def input_folder(root: Path, inputs: Inputs) -> Path:
    """The files of `inputs`: the book less a seeded share of its loans, from the loan file and the ledger."""
    folder = root / inputs.key
    if folder.exists():
        return folder
    book = book_folder(root, inputs.book)
    (folder / "ledger").mkdir(parents=True)
    loans = read_table(book / "loan_recovery.csv")
    removed = set(loans.Loan_ID.sample(frac=inputs.removed_share, random_state=inputs.book))
    write_table(loans[~loans.Loan_ID.isin(removed)], folder / "loan_recovery.csv")
    for table in LEDGER_TABLES:
        rows = read_table(book / "ledger" / f"{table}.csv")
        write_table(rows[~rows.order_id.isin(removed)], folder / "ledger" / f"{table}.csv")
    return folder


def build_vars(folder: Path, inputs: Inputs, model_dir: Path) -> dict:
    as_of = SNAPSHOT_DATE + datetime.timedelta(days=inputs.as_of_days)
    return {
        "loan_recovery_path": str(folder / "loan_recovery.csv"),
        "ledger_path": str(folder / "ledger") if inputs.ledger else "",
        "as_of_date": as_of.isoformat(),
        "observation_months_on_book": inputs.months_on_book,
        "risk_model_dir": str(model_dir),
    }


def run(workdir: Path, dbt_vars: dict, tested: bool = True) -> subprocess.CompletedProcess:
    return run_dbt(workdir, ["build"] + (WITHOUT_UNIT_TESTS if tested else UNTESTED), dbt_vars)


def public_hashes(warehouse: Path) -> dict[str, str]:
    return {
        name: digest
        for name, digest in table_hashes(warehouse).items()
        if name.split(".", 1)[1] not in SEQUENCE_LOG_TABLES
    }


def fresh_build_vars(warehouse: Path) -> dict:
    """A fresh build fits the risk models; where this build scored with the saved model instead, so does the
    fresh build (var risk_model_run_id), as a daily build keeps its model (docs/reliability.md)."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        run_id, fitted = connection.execute(
            "select any_value(run_id), bool_and(scoring_decision like 'fitted%')"
            " from intermediate.int_loans_scored where is_selected"
        ).fetchone()
    return {} if fitted else {"risk_model_run_id": run_id}


def answers_queries(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("select count(*) from information_schema.tables").fetchall()


class Sequence:
    """One warehouse built step by step, published after each successful build."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.workdir = root / "warehouse"
        self.warehouse = self.workdir / "warehouse.duckdb"
        self.published = self.workdir / "published.duckdb"
        self.model_dir = root / "fitted_models"
        self.last_seconds = 30.0
        # The hashes of a fresh build, by its vars: a walk often comes back to the same inputs.
        self.fresh_hashes: dict[str, dict[str, str]] = {}

    def vars_for(self, inputs: Inputs) -> dict:
        return build_vars(input_folder(self.root / "inputs", inputs), inputs, self.model_dir)

    def build(self, inputs: Inputs, where: str) -> None:
        dbt_vars = self.vars_for(inputs)
        first = not self.warehouse.exists()
        started = time.monotonic()
        result = run(self.workdir, dbt_vars)
        self.last_seconds = time.monotonic() - started
        assert result.returncode == 0, f"{where}: {result.stdout[-5000:]}{result.stderr[-2000:]}"
        publish(self.warehouse, self.published)
        actual, fresh_vars = public_hashes(self.warehouse), dbt_vars | fresh_build_vars(self.warehouse)
        if first:
            # The first build is itself a fresh build of its inputs (that two fresh builds agree is
            # test_incremental's check): it stands for one, and a later step may come back to them.
            self.fresh_hashes[json.dumps(fresh_vars, sort_keys=True)] = actual
        expected = self.fresh_build(fresh_vars)
        differing = sorted(
            name for name in actual.keys() | expected.keys() if actual.get(name) != expected.get(name)
        )
        assert not differing, f"{where}: tables differ from a fresh build: {differing}"

    def fresh_build(self, dbt_vars: dict) -> dict[str, str]:
        """The table hashes of a fresh build (its tests left out: the build under test ran them)."""
        key = json.dumps(dbt_vars, sort_keys=True)
        if key not in self.fresh_hashes:
            fresh = self.root / "fresh"
            shutil.rmtree(fresh, ignore_errors=True)
            result = run(fresh, dbt_vars, tested=False)
            assert result.returncode == 0, f"fresh build of {key}: {result.stdout[-5000:]}"
            self.fresh_hashes[key] = public_hashes(fresh / "warehouse.duckdb")
        return self.fresh_hashes[key]

    def fail(self, dbt_vars: dict, expected_message: str, where: str) -> None:
        published_before = self.published.read_bytes()
        result = run(self.workdir, dbt_vars)
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"{where}: the bad input built"
        assert expected_message in output, f"{where}: {output[-3000:]}"
        assert "Traceback" not in output, where
        answers_queries(self.warehouse)
        assert self.published.read_bytes() == published_before, f"{where}: the published file changed"

    def bad_columns(self, inputs: Inputs, where: str) -> None:
        dbt_vars = self.vars_for(inputs)
        bad = self.root / "inputs" / f"{inputs.key}-bad"
        shutil.copytree(Path(dbt_vars["loan_recovery_path"]).parent, bad, dirs_exist_ok=True)
        write_table(
            read_table(bad / "loan_recovery.csv").drop(columns="Loan_Amount"), bad / "loan_recovery.csv"
        )
        dbt_vars["loan_recovery_path"] = str(bad / "loan_recovery.csv")
        self.fail(dbt_vars, "is missing column(s) Loan_Amount", where)

    def other_books_ledger(self, inputs: Inputs, where: str) -> None:
        """The same ids LN_1.. in another book's ledger: the issued amounts disagree."""
        other = input_folder(self.root / "inputs", Inputs(3 - inputs.book, 0.0, True, 0, 6))
        dbt_vars = self.vars_for(inputs) | {"ledger_path": str(other / "ledger")}
        self.fail(dbt_vars, "does not match loan file", where)

    def killed(self, inputs: Inputs, where: str) -> None:
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        process = start_dbt(self.workdir, ["build", *WITHOUT_UNIT_TESTS], self.vars_for(inputs), **quiet)
        time.sleep(self.rng.uniform(0.2, 0.9) * self.last_seconds)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        answers_queries(self.warehouse)


def test_any_sequence_of_builds_gives_the_tables_of_a_fresh_build(tmp_path_factory):
    seed = int(os.environ.get("BUILD_SEQUENCE_SEED", random.SystemRandom().randrange(10**6)))
    print(f"build sequence seed {seed} (replay: BUILD_SEQUENCE_SEED={seed})")
    rng = random.Random(seed)
    walk = draw_walk(rng)
    print("steps:", [(kind, inputs.key) for kind, inputs in walk])
    sequence = Sequence(tmp_path_factory.mktemp("sequence"), rng)
    for number, (kind, inputs) in enumerate(walk):
        getattr(sequence, kind)(inputs, f"seed {seed}, step {number} ({kind}, {inputs.key})")
