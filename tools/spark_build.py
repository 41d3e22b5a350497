"""Builds the warehouse on a local Apache Spark (make build-spark): dbt's spark target for every model above
the ML step, the ML job (ml/spark_job.py) in the same Spark session, then dbt for the ML step's stand-ins
and everything below them, with their tests.

One Python process holds the Spark session that dbt-spark's `session` method and the ML job share: one JVM
start (the slow part of a small build), and the in-memory catalog needs no metastore (a local Derby metastore
cannot be shared by two processes). The tables stay as Parquet under --warehouse-dir; SPARK_CATALOG=hive keeps
a Derby metastore next to it so that a later Spark session finds them by name.

With --method thrift (make build-spark SPARK_METHOD=thrift) dbt connects the way platforms connect it: the
session is an application on a Spark standalone cluster started here (tools/spark_cluster.py: a master, two
workers), the application runs the Spark Thrift Server, and both dbt runs go through it with dbt-spark's
`thrift` method; the ML job still writes through the session, into the same catalog. All of it is stopped at
the end.

    python -m tools.spark_build [--vars '{"loan_recovery_path": "..."}'] [--master local[2]] [--method thrift]
"""

import argparse
import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tools import spark_cluster
from tools.dbt_process import REPO

# The ML job's stand-ins and everything below them: the second dbt run.
BELOW_ML_STEP = ["path:models/intermediate/spark_ml+", "path:models/marts/risk/spark_ml+"]
# The steps of a build, as build() times them.
STEP_SESSION = "Spark session start"  # and, with --method thrift, the cluster's and the Thrift server's
STEP_ABOVE_ML = "dbt above the ML step"
STEP_ML = "ML job"
STEP_BELOW_ML = "dbt below the ML step"
STEPS = [STEP_SESSION, STEP_ABOVE_ML, STEP_ML, STEP_BELOW_ML]
# Faster JVM start for short local builds (C1 compiler only, serial GC): about 15 s instead of 30. C1 alone
# gets a 48 MB code cache, which the driver filled a minute into the sample's build; the JVM then stops
# compiling and interprets. With 256 MB it kept compiling, and the Thrift build of the sample took 174 s,
# against 197 s (one after the other). A large build wants the full JIT compiler and a parallel collector
# instead: SPARK_JVM_OPTIONS replaces these.
FAST_START_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=256m"


def check_java() -> str:
    """The java binary Spark will start; SystemExit with what to install when there is none."""
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise SystemExit(
            "Spark needs Java 17 or 21: set JAVA_HOME or put `java` on PATH "
            "(Debian/Ubuntu: apt-get install openjdk-17-jre-headless)."
            + (f" JAVA_HOME={java_home} has no bin/java." if java_home else "")
        )
    return str(java)


def local_session(
    warehouse_dir: Path,
    master: str = "local[2]",
    catalog: str = "in-memory",
    settings: dict[str, str] | None = None,
):
    """A local Spark session for dbt-spark's `session` method and the ML job; its workers use this Python.

    `settings` are more Spark settings (a cluster's executors)."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    jvm_options = os.environ.get("SPARK_JVM_OPTIONS", FAST_START_JVM_OPTIONS)
    builder = (
        SparkSession.builder.master(master)
        .appName("loan-recovery-warehouse")
        .config("spark.sql.catalogImplementation", catalog)
        .config("spark.sql.warehouse.dir", str(warehouse_dir.resolve()))
        .config("spark.driver.extraJavaOptions", jvm_options)
        .config("spark.executor.extraJavaOptions", jvm_options)
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.sql.shuffle.partitions", os.environ.get("SPARK_SHUFFLE_PARTITIONS", "4"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for key, value in (settings or {}).items():
        builder = builder.config(key, value)
    if catalog == "hive":
        builder = builder.config(
            "javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={warehouse_dir.resolve()}/metastore_db;create=true",
        ).enableHiveSupport()
    spark = builder.getOrCreate()
    # dbt-spark asks for the session on every statement, and Spark warns each time that it exists.
    spark.sparkContext.setLogLevel(os.environ.get("SPARK_LOG_LEVEL", "ERROR"))
    return spark


def run_dbt(arguments: list[str]) -> None:
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(arguments)
    if not result.success:
        raise SystemExit(f"dbt {arguments[0]} failed on Spark (see the log above)")


def public_tables(manifest_path: Path) -> dict[str, str]:
    """Name -> `schema.table` of every enabled public model (the marts BI tools read), from dbt's manifest."""
    manifest = json.loads(manifest_path.read_text())
    return {
        node["name"]: f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("access") == "public"
    }


def export_public_tables(spark, manifest_path: Path, out_dir: Path) -> None:
    """Every public table as a Parquet folder `<out_dir>/<name>`, for readers without Spark (tests, BI)."""
    for name, table in public_tables(manifest_path).items():
        spark.table(table).coalesce(1).write.mode("overwrite").parquet(str(out_dir / name))


def build(
    warehouse_dir: Path,
    target_path: Path,
    dbt_vars: str | None = None,
    master: str = "local[2]",
    catalog: str = "in-memory",
    export_dir: Path | None = None,
    method: str = "session",
    cluster_dir: Path | None = None,
    cluster_port: int = 7077,
    thrift_port: int = 10000,
    select: list[str] | None = None,
    exclude: list[str] | None = None,
) -> dict[str, float]:
    """The whole warehouse on Spark: dbt above the ML step, the ML job, dbt below it.

    method "session": dbt in this process's Spark session on `master`. Method "thrift": a standalone cluster
    on cluster_port (its daemons' logs and work folders in cluster_dir) instead of `master`, the Thrift
    server on thrift_port, dbt through it. `select`: only these nodes above the ML step, in one dbt run;
    `exclude`: leave these nodes out (dbt's --exclude).
    Returns the wall seconds of each step (STEPS), for the benchmark.
    """
    clock = _StepClock()

    check_java()
    if catalog == "in-memory" and warehouse_dir.exists():
        # Nothing refers to the tables an in-memory catalog forgot; their folders would block new tables.
        shutil.rmtree(warehouse_dir)
    os.environ.setdefault("DBT_PROFILES_DIR", str(REPO))
    os.environ.setdefault("DBT_PROJECT_DIR", str(REPO))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if method == "thrift":
        cluster_dir = cluster_dir or warehouse_dir.parent / "spark-cluster"
        application = thrift_application(warehouse_dir, cluster_dir, cluster_port, thrift_port, catalog)
        with application as (spark, address):
            # the profile's spark target (profiles.yml) reads these
            host, port = address.split(":")
            os.environ.update(SPARK_METHOD="thrift", SPARK_HOST=host, SPARK_PORT=port)
            print(f"dbt connects to the Spark Thrift Server at {address}", flush=True)
            _build_in(spark, clock, target_path, dbt_vars, export_dir, select, exclude)
    else:
        spark = local_session(warehouse_dir, master, catalog)
        os.environ["SPARK_METHOD"] = "session"
        _build_in(spark, clock, target_path, dbt_vars, export_dir, select, exclude)
    return clock.seconds


@contextlib.contextmanager
def thrift_application(
    warehouse_dir: Path, cluster_dir: Path, cluster_port: int, thrift_port: int, catalog: str = "in-memory"
) -> Iterator[tuple[object, str]]:
    """A standalone cluster (tools/spark_cluster.py), a Spark application on it and the application's Thrift
    server; yields the application's session and the server's `host:port`, and stops all of it on the way
    out."""
    # the driver's endpoints too (without it, Spark binds them to the machine's network address)
    os.environ["SPARK_LOCAL_IP"] = spark_cluster.HOST
    with spark_cluster.standalone_cluster(cluster_dir, cluster_port) as master_url:
        spark = local_session(warehouse_dir, master_url, catalog, spark_cluster.executor_settings(master_url))
        try:
            with spark_cluster.thrift_server(spark, cluster_dir, thrift_port) as address:
                yield spark, address
        finally:
            spark.stop()


def _build_in(
    spark,
    clock: "_StepClock",
    target_path: Path,
    dbt_vars: str | None,
    export_dir: Path | None,
    select: list[str] | None,
    exclude: list[str] | None,
) -> None:
    from ml import spark_job

    common = ["--target", "spark", "--project-dir", str(REPO), "--target-path", str(target_path)]
    common += ["--vars", dbt_vars] if dbt_vars else []
    excluding = ["--exclude", *exclude] if exclude else []
    spark_job.prepare(spark)
    clock.lap(STEP_SESSION)
    if select:
        # only the tests whose every parent is selected: the others would read tables never built here
        run_dbt(["build", *common, "--select", *select, "--indirect-selection", "cautious", *excluding])
        clock.lap(STEP_ABOVE_ML)
        return
    run_dbt(["build", *common, "--exclude", *BELOW_ML_STEP, *(exclude or [])])
    clock.lap(STEP_ABOVE_ML)
    configs = spark_job.python_model_configs(target_path / "manifest.json")
    schema = os.environ.get("SPARK_SCHEMA", "main")
    spark_job.score(spark, configs, f"{schema}.loan_features")
    clock.lap(STEP_ML)
    run_dbt(["build", *common, "--select", *BELOW_ML_STEP, *excluding])
    clock.lap(STEP_BELOW_ML)
    if export_dir is not None:
        export_public_tables(spark, target_path / "manifest.json", export_dir)


class _StepClock:
    """Wall seconds of consecutive steps, each from the end of the previous one."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._since = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.seconds[step] = now - self._since
        self._since = now


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.spark_build", description=__doc__.splitlines()[0])
    parser.add_argument("--vars", help="dbt vars as YAML or JSON, as dbt's --vars")
    parser.add_argument("--master", default=os.environ.get("SPARK_MASTER", "local[2]"))
    parser.add_argument("--warehouse-dir", type=Path, default=REPO / "spark-warehouse")
    parser.add_argument("--target-path", type=Path, default=REPO / "target" / "spark")
    parser.add_argument(
        "--catalog", choices=["in-memory", "hive"], default=os.environ.get("SPARK_CATALOG", "in-memory")
    )
    parser.add_argument(
        "--method",
        choices=["session", "thrift"],
        default=os.environ.get("SPARK_METHOD", "session"),
        help="how dbt connects: this process's Spark session, or a local cluster's Thrift server",
    )
    parser.add_argument(
        "--cluster-dir", type=Path, default=REPO / "spark-cluster", help="thrift: daemons' logs"
    )
    parser.add_argument("--cluster-port", type=int, default=int(os.environ.get("SPARK_MASTER_PORT", "7077")))
    parser.add_argument("--thrift-port", type=int, default=int(os.environ.get("SPARK_PORT", "10000")))
    parser.add_argument("--export-public", type=Path, help="also write every public table as Parquet here")
    parser.add_argument("--select", nargs="+", help="only these dbt nodes above the ML step (dbt's --select)")
    parser.add_argument("--exclude", nargs="+", help="leave these dbt nodes out (dbt's --exclude)")
    parser.add_argument("--timings", type=Path, help="write the wall seconds of each step here (JSON)")
    args = parser.parse_args(argv)
    seconds = build(
        args.warehouse_dir,
        args.target_path,
        args.vars,
        args.master,
        args.catalog,
        args.export_public,
        args.method,
        args.cluster_dir,
        args.cluster_port,
        args.thrift_port,
        args.select,
        args.exclude,
    )
    if args.timings:
        args.timings.write_text(json.dumps(seconds))


if __name__ == "__main__":
    main()
