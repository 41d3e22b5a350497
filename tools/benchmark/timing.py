"""Measuring: a process's wall time and peak memory, and a dbt build's seconds per stage."""

import datetime
import os
import shlex
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.dbt_process import REPO

STARTUP_STAGE = "dbt start-up and parse"
STAGES = [
    STARTUP_STAGE,
    "seeds",
    "staging",
    "validation",
    "ledger",
    "ML",
    "stress",
    "marts",
    "data tests",
    "other",
]
# Starts each measured command and reports its own peak memory (run_measured).
PEAK_RSS_LAUNCHER = Path(__file__).with_name("peak_rss.py")
# How often run_measured samples the machine's load average while a command runs.
LOAD_SAMPLE_SECONDS = 5.0


@dataclass
class Measured:
    """Wall time and peak resident memory of one finished process, and the machine's highest 1-minute load
    average while it ran (the process's own load included)."""

    seconds: float
    max_rss_bytes: int
    max_load: float = 0.0

    @property
    def loaded(self) -> bool:
        """Whether the machine was busier than its cores at some point of the run: figures to mark."""
        return self.max_load > os.cpu_count()


def load_note(measured: list[Measured | None]) -> str:
    """' (loaded: ...)' when the machine was busier than its cores during any of these runs, else ''."""
    loads = [run.max_load for run in measured if run is not None and run.loaded]
    return f" (loaded: load average up to {max(loads):.1f} on {os.cpu_count()} cores)" if loads else ""


@dataclass
class SizeResult:
    """Everything measured for one number of loans."""

    loans: int
    has_ledger: bool
    generation: Measured
    build: Measured
    stages: dict[str, float]
    our_auc: float
    oracle_auc: float | None = None
    source: Measured | None = None
    source_auc: float | None = None
    replay: Measured | None = None
    replay_stages: dict[str, float] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)
    daily_batch: Measured | None = None
    first_daily_batch: Measured | None = None


def run_measured(command: list[str], log_path: Path, env: dict | None = None) -> Measured:
    """Run `command` from the repo root, output to `log_path`; its wall time and max RSS (children too).

    The command runs as the child of a small process (PEAK_RSS_LAUNCHER), which reports the command's own
    peak: a process started from this one would count this process's memory in its peak."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak_file = log_path.with_name(log_path.name + ".peak-rss")
    launched = [sys.executable, str(PEAK_RSS_LAUNCHER), str(peak_file), "--", *command]
    loads = [os.getloadavg()[0]]
    finished = threading.Event()

    def sample_load() -> None:
        while not finished.wait(LOAD_SAMPLE_SECONDS):
            loads.append(os.getloadavg()[0])

    sampler = threading.Thread(target=sample_load, daemon=True)
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(launched, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        sampler.start()
        process.wait()
        seconds = time.perf_counter() - started
    finished.set()
    sampler.join()
    if process.returncode != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{shlex.join(command)} failed ({process.returncode}); see {log_path}:\n{tail}")
    return Measured(seconds, int(peak_file.read_text()), max(loads))


def union_seconds(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end] intervals: time when at least one of them was running."""
    total, covered_until = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > covered_until:
            total += end - max(start, covered_until)
            covered_until = end
    return total


def stage_of(resource_type: str, path: str, language: str | None, name: str) -> str:
    """The stage of STAGES a dbt node belongs to, from its type, file, language and name."""
    if resource_type == "seed":
        return "seeds"
    if resource_type == "test":
        return "data tests"
    if resource_type != "model":
        return "other"
    if path.startswith(("models/intermediate/stress/", "models/marts/stress/")):
        return "stress"
    if language == "python":
        return "ML"
    if path.startswith("models/staging/"):
        return "staging"
    if path.startswith("models/intermediate/") and name.startswith("int_") and name.endswith("_validated"):
        return "validation"
    if path.startswith("models/intermediate/ledger/"):
        return "ledger"
    if path.startswith("models/marts/"):
        return "marts"
    return "other"


def node_stage(unique_id: str, manifest: dict) -> str:
    """The stage of any node of run_results: tests, unit tests, hooks and exposures included."""
    node = manifest["nodes"].get(unique_id)
    if node is None:
        return stage_of(unique_id.split(".")[0], "", None, "")
    return stage_of(node["resource_type"], node["original_file_path"], node.get("language"), node["name"])


def stage_seconds(run_results: dict, manifest: dict, wall_seconds: float) -> dict[str, float]:
    """Seconds per stage: the union of its nodes' compile and execute spans, as nodes overlap on threads.

    The start-up stage is the rest of the whole wall time, not covered by any node.
    """
    spans: dict[str, list[tuple[float, float]]] = {stage: [] for stage in STAGES}
    for result in run_results["results"]:
        timing = [entry for entry in result["timing"] if entry["name"] in ("compile", "execute")]
        if timing:
            start = min(_epoch(entry["started_at"]) for entry in timing)
            end = max(_epoch(entry["completed_at"]) for entry in timing)
            spans[node_stage(result["unique_id"], manifest)].append((start, end))
    seconds = {stage: union_seconds(intervals) for stage, intervals in spans.items()}
    covered = union_seconds([span for intervals in spans.values() for span in intervals])
    seconds[STARTUP_STAGE] = max(wall_seconds - covered, 0.0)
    return seconds


def _epoch(timestamp: str) -> float:
    return datetime.datetime.fromisoformat(timestamp).timestamp()
