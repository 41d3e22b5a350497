"""A Spark standalone cluster on this machine (a master and two workers, from the pyspark install) and the
Spark Thrift Server that dbt-spark's `thrift` method connects to, as it connects to a platform's cluster
(make build-spark SPARK_METHOD=thrift; docs/spark-thrift.md). Everything listens on 127.0.0.1 only, and
everything started here is stopped on the way out, also when the build fails.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"
WORKERS = 2
# Each worker offers one core and 1 GiB to one executor: the machine's two cores, with the driver's JVM and
# the daemons' small heaps (DAEMON_MEMORY) on top.
WORKER_CORES = 1
WORKER_MEMORY = "1g"
DAEMON_MEMORY = "256m"
START_TIMEOUT_SECONDS = 90
STOP_TIMEOUT_SECONDS = 30


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    """A TCP port on HOST that nothing listens on now (tests must not clash with a running server)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def executor_settings(master_url: str) -> dict[str, str]:
    """The build session's settings on the cluster: one executor per worker, the driver bound to HOST."""
    return {
        "spark.master": master_url,
        "spark.executor.cores": str(WORKER_CORES),
        "spark.executor.memory": WORKER_MEMORY,
        "spark.cores.max": str(WORKERS * WORKER_CORES),
        "spark.driver.host": HOST,
        "spark.driver.bindAddress": HOST,
    }


@contextlib.contextmanager
def standalone_cluster(workdir: Path, port: int = 7077) -> Iterator[str]:
    """A master on HOST:port and WORKERS workers registered with it; yields the master's URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    spark_class = str(spark_home() / "bin" / "spark-class")
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        # the web UIs, the RPC endpoints and the block managers bind to this address, not to every interface
        "SPARK_LOCAL_IP": HOST,
        "SPARK_DAEMON_MEMORY": DAEMON_MEMORY,
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",
    }
    master_url = f"spark://{HOST}:{port}"
    daemons: list[tuple[subprocess.Popen, Path]] = []

    def start(name: str, *arguments: str) -> None:
        log = workdir / f"{name}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [spark_class, *arguments],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        daemons.append((process, log))

    # web UI port 0: any free port, so that two clusters on one machine do not clash
    endpoint = ["--host", HOST, "--webui-port", "0"]
    try:
        start("master", "org.apache.spark.deploy.master.Master", *endpoint, "--port", str(port))
        for number in range(1, WORKERS + 1):
            offer = ["--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY]
            folder = ["--work-dir", str(workdir / f"worker-{number}")]
            start(
                f"worker-{number}",
                "org.apache.spark.deploy.worker.Worker",
                *endpoint,
                *offer,
                *folder,
                master_url,
            )
        _wait_for_workers(daemons)
        yield master_url
    finally:
        _stop(process for process, _ in reversed(daemons))


def _wait_for_workers(daemons: list[tuple[subprocess.Popen, Path]]) -> None:
    """Until the master's log shows every worker registered; SystemExit with the logs' ends if one dies."""
    (_, master_log), workers = daemons[0], daemons[1:]
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while master_log.read_text().count("Registering worker") < len(workers):
        dead = [log for process, log in daemons if process.poll() is not None]
        if dead or time.monotonic() > deadline:
            tails = "\n".join(f"--- {log}\n{log.read_text()[-2000:]}" for log in dead or [master_log])
            raise SystemExit(f"the Spark standalone cluster did not start:\n{tails}")
        time.sleep(0.5)


def _stop(processes) -> None:
    """SIGTERM to each daemon's process group (a worker's executors and their Python workers are in it), then
    SIGKILL to what is left of it after STOP_TIMEOUT_SECONDS."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _group_alive(process) and time.monotonic() < deadline:
            time.sleep(0.2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _group_alive(process: subprocess.Popen) -> bool:
    process.poll()  # reaps the daemon itself once it has exited
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def thrift_server(spark, workdir: Path, port: int = 10000) -> Iterator[str]:
    """The Spark Thrift Server (HiveServer2's protocol) inside the application of `spark`, on HOST:port.

    It shares the application's catalog, so the tables dbt writes through it and those the ML job writes
    through the session are one warehouse. Yields `host:port`.
    """
    settings = {
        "hive.server2.thrift.bind.host": HOST,
        "hive.server2.thrift.port": str(port),
        "hive.server2.transport.mode": "binary",
        # Hive's own scratch and log folders default to /tmp/<user>; keep them with the build. Each session
        # makes its resources folder and deletes it on closing: one per session, as Hive's default.
        "hive.server2.logging.operation.log.location": str(workdir / "operation_logs"),
        "hive.exec.local.scratchdir": str(workdir / "scratch"),
        "hive.downloaded.resources.dir": str(workdir / "${hive.session.id}_resources"),
    }
    for key, value in settings.items():
        spark.conf.set(key, value)
    for folder in ("operation_logs", "scratch"):
        (workdir / folder).mkdir(parents=True, exist_ok=True)
    server_class = spark._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2
    server = server_class.startWithContext(spark._jsparkSession.sqlContext())
    try:
        _wait_for_port(port)
        yield f"{HOST}:{port}"
    finally:
        server.stop()


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the Spark Thrift Server did not listen on {HOST}:{port}")
        time.sleep(0.5)
