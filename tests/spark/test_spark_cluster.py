"""The cluster and Thrift server of make build-spark SPARK_METHOD=thrift
(tools.spark_build.thrift_application, tools/spark_cluster.py): a master, two workers and their executors,
every endpoint on 127.0.0.1 only, a Thrift client reading what the session wrote; and when the build fails
inside it, every process it started stops and its ports close."""

import socket
import time

import psutil
import pytest

from tools.spark_build import check_java, thrift_application
from tools.spark_cluster import HOST, WORKERS, free_port

pytestmark = pytest.mark.slow
# How long the test waits for both executors to start.
EXECUTOR_START_SECONDS = 120


def descendants() -> list[psutil.Process]:
    """This process's descendants but zombies (spark-class's launcher, which a daemon's JVM never reaps)."""
    return [process for process in psutil.Process().children(recursive=True) if _alive(process)]


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def is_gateway(process: psutil.Process) -> bool:
    """The JVM of this process's Spark driver (py4j's gateway), which lives as long as pytest."""
    return "pyspark-shell" in process.cmdline()


def count(started: dict[psutil.Process, list[str]], main_class: str) -> int:
    """How many of the started processes run `main_class` (their command lines as they were)."""
    return sum(any(argument.endswith(main_class) for argument in cmdline) for cmdline in started.values())


class FailedBuild(Exception):
    pass


def test_the_cluster_listens_on_localhost_only_and_stops_when_the_build_fails(tmp_path, monkeypatch):
    # The Spark extra (make spark-env), which make check does not install: imported here, not at collection.
    from pyhive import hive

    check_java()
    monkeypatch.setenv("SPARK_LOCAL_IP", HOST)  # thrift_application sets it for the build's process
    before = {process.pid for process in descendants()}
    ports = free_port(), free_port()
    application = thrift_application(tmp_path / "warehouse", tmp_path / "cluster", *ports)

    with pytest.raises(FailedBuild), application as (spark, _):
        spark.range(5).write.saveAsTable("default.five")
        with hive.connect(host=HOST, port=ports[1], username="dbt") as connection:
            cursor = connection.cursor()
            cursor.execute("select count(*) from default.five")
            assert cursor.fetchall() == [(5,)]
        # The master starts an executor on each worker as the application registers; on a busy machine the
        # second may still be starting when the first has run the write.
        deadline = time.monotonic() + EXECUTOR_START_SECONDS
        while True:
            started = {
                process: process.cmdline()
                for process in descendants()
                if process.pid not in before and not is_gateway(process)
            }
            if count(started, "CoarseGrainedExecutorBackend") >= WORKERS or time.monotonic() > deadline:
                break
            time.sleep(1)
        listening = {
            (endpoint.laddr.ip.removeprefix("::ffff:"), endpoint.laddr.port)
            for process in descendants()
            for endpoint in process.net_connections(kind="inet")
            if endpoint.status == psutil.CONN_LISTEN
        }
        raise FailedBuild

    assert count(started, "deploy.master.Master") == 1
    assert count(started, "deploy.worker.Worker") == WORKERS
    assert count(started, "CoarseGrainedExecutorBackend") == WORKERS
    assert {(HOST, port) for port in ports} <= listening
    assert {ip for ip, _ in listening} == {HOST}, listening
    assert [process for process in started if _alive(process)] == []
    for port in ports:
        with socket.socket() as probe:
            assert probe.connect_ex((HOST, port)) != 0, f"something still listens on {HOST}:{port}"
