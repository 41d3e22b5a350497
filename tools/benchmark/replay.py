"""Replay: dbt's compiled SQL run by DuckDB alone in dependency order, the Python models called directly."""

import graphlib
import importlib.util
import json
import os
import time
from pathlib import Path

import duckdb
import jinja2
import yaml

from ml.dbt_plugin import choices_macro_sql
from tools.benchmark.timing import STAGES, node_stage
from tools.dbt_process import REPO
from tools.sql import sql_text


def topological_order(dependencies: dict[str, list[str]]) -> list[str]:
    """Nodes ordered so that each comes after what it depends on; dependencies outside the dict are ignored.

    Among nodes that are ready together, the order is alphabetical, so replays repeat exactly.
    """
    sorter = graphlib.TopologicalSorter(
        {
            node: [upstream for upstream in upstreams if upstream in dependencies]
            for node, upstreams in dependencies.items()
        }
    )
    sorter.prepare()
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def profile_settings(profiles_yml: str, environ: dict[str, str]) -> dict[str, str]:
    """The DuckDB `settings` of the project's dbt profile and target, with their env_var() calls rendered."""
    profile = yaml.safe_load(profiles_yml)["loan_recovery"]
    settings = profile["outputs"][profile["target"]].get("settings", {})

    def env_var(name: str, default: str | None = None) -> str | None:
        return environ.get(name, default)

    templates = jinja2.Environment()
    return {key: templates.from_string(str(value)).render(env_var=env_var) for key, value in settings.items()}


class _Config:
    def __init__(self, values: dict):
        self._values = values

    def get(self, key, default=None):
        return self._values.get(key, default)


class _DbtStub:
    """The part of dbt-duckdb's `dbt` object that the project's Python models use."""

    def __init__(self, connection, relations: dict[str, str], node: dict, config: dict):
        self._connection = connection
        self._relations = relations
        self.config = _Config(config)
        self.this = node["relation_name"]
        self.is_incremental = False

    def ref(self, name: str):
        return self._connection.sql(f"select * from {self._relations[name]}")


def _replay_node(connection, node: dict, relations: dict[str, str], model_dir: Path) -> int | None:
    """Build one node as dbt would; a data test returns its failing rows."""
    relation = node["relation_name"]
    if node["resource_type"] == "test":
        (failures,) = connection.execute(
            f"select count(*) from (\n{node['compiled_code']}\n) as test_rows"
        ).fetchone()
        return failures
    connection.execute(f'create schema if not exists "{node["database"]}"."{node["schema"]}"')
    if node["resource_type"] == "seed":
        path = REPO / node["original_file_path"]
        types = ", ".join(
            f"'{sql_text(k)}': '{sql_text(v)}'" for k, v in node["config"]["column_types"].items()
        )
        options = f", types = {{{types}}}" if types else ""
        reader = f"read_csv('{sql_text(path)}', header = true{options})"
        connection.execute(f"create or replace table {relation} as select * from {reader}")
    elif node.get("language") == "python":
        spec = importlib.util.spec_from_file_location(node["name"], REPO / node["original_file_path"])
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        # Fitted models go to the replay's own folder, so the replay never reads the dbt build's fits.
        config = {
            **node["config"],
            **({"risk_model_dir": str(model_dir)} if "risk_model_dir" in node["config"] else {}),
        }
        frame = module.model(_DbtStub(connection, relations, node, config), connection)
        connection.register("replayed_frame", frame)
        connection.execute(f"create or replace table {relation} as select * from replayed_frame")
        connection.unregister("replayed_frame")
    else:
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        connection.execute(f"create or replace {kind} {relation} as {node['compiled_code']}")
    return None


def replay(manifest_path: Path, database: Path, model_dir: Path, out: Path) -> None:
    """Build every seed, model and data test of a dbt manifest with DuckDB alone, in dependency order.

    `database` must be a new file named like dbt's (same stem), so that the compiled SQL's
    "database"."schema"."name" references resolve to it. Writes the seconds per stage and each data
    test's failing rows to `out`.
    """
    manifest = json.loads(manifest_path.read_text())
    nodes = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        # The tests of a disabled seed (the sample, when you give your own files) are disabled with it.
        if node["resource_type"] in ("seed", "model", "test") and node["config"].get("enabled", True)
    }
    relations = {
        node["name"]: node["relation_name"] for node in nodes.values() if node["resource_type"] != "test"
    }
    seconds = dict.fromkeys(STAGES[1:], 0.0)
    failures = {}
    # DuckDB runs with the settings dbt gives it (a memory limit, for one), so that only dbt differs.
    settings = profile_settings((REPO / "profiles.yml").read_text(), dict(os.environ))
    with duckdb.connect(str(database), config=settings) as connection:
        # What dbt's connection gets from the project's plugin (profiles.yml): the macro the var tests read.
        connection.execute(choices_macro_sql())
        for unique_id in topological_order(
            {key: node["depends_on"].get("nodes", []) for key, node in nodes.items()}
        ):
            node = nodes[unique_id]
            started = time.perf_counter()
            failed_rows = _replay_node(connection, node, relations, model_dir)
            seconds[node_stage(unique_id, manifest)] += time.perf_counter() - started
            if failed_rows is not None:
                failures[unique_id] = failed_rows
    out.write_text(json.dumps({"seconds": seconds, "failures": failures}))


def replay_differences(
    manifest: dict, run_results: dict, replay_failures: dict, built: Path, replayed: Path
) -> list[str]:
    """What the replay did unlike dbt: row counts of seeds and models, failing rows of data tests."""
    differences = []
    dbt_failures = {
        result["unique_id"]: result["failures"]
        for result in run_results["results"]
        if result["unique_id"].startswith("test.")
    }
    for unique_id, failed_rows in replay_failures.items():
        if dbt_failures.get(unique_id) != failed_rows:
            differences.append(
                f"{unique_id}: dbt {dbt_failures.get(unique_id)} failing rows, replay {failed_rows}"
            )
    # An ephemeral model has no relation: its SQL is part of the models that read it.
    relations = sorted(
        node["relation_name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] in ("seed", "model") and node["relation_name"]
    )
    with (
        duckdb.connect(str(built), read_only=True) as dbt_db,
        duckdb.connect(str(replayed), read_only=True) as raw_db,
    ):
        for relation in relations:
            query = f"select count(*) from {relation}"
            dbt_rows, raw_rows = dbt_db.execute(query).fetchone()[0], raw_db.execute(query).fetchone()[0]
            if dbt_rows != raw_rows:
                differences.append(f"{relation}: dbt {dbt_rows:,} rows, replay {raw_rows:,}")
    return differences
