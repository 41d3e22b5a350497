"""source_row_number on Spark: a file read in many splits is numbered 1..n in file order, as DuckDB numbers
it. The bundled sample's files are one split each, so the cross-engine test cannot see a split's offset go
wrong; here the split size is made tiny so that a CSV and a Parquet file are each read in many splits."""

from pathlib import Path

import jinja2
import pandas as pd
import pytest

from tests.dbt_runner import REPO
from tools.spark_build import check_java, local_session

pytestmark = pytest.mark.slow

ROWS = 20_000


def spark_rows_in_file_order(relation: str) -> str:
    """The SQL of the spark__ implementation of macros/inputs/rows_in_file_order.sql over `relation`."""
    source = (REPO / "macros" / "inputs" / "rows_in_file_order.sql").read_text()
    module = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(source).module
    return str(module.spark__rows_in_file_order(relation))


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    check_java()
    session = local_session(tmp_path_factory.mktemp("warehouse"))
    # splits of 16 KB (the open cost would otherwise raise them to 4 MB)
    session.conf.set("spark.sql.files.maxPartitionBytes", "16384")
    session.conf.set("spark.sql.files.openCostInBytes", "0")
    yield session
    session.stop()


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_a_file_read_in_many_splits_is_numbered_in_file_order(spark, tmp_path: Path, file_format: str):
    # a position and a value that does not follow it, so that an order by value would show
    rows = pd.DataFrame({"position": range(1, ROWS + 1), "value": [(i * 7919) % ROWS for i in range(ROWS)]})
    path = tmp_path / f"rows.{file_format}"
    if file_format == "csv":
        rows.astype(str).to_csv(path, index=False)
        reader = spark.read.option("header", "true")
    else:
        rows.to_parquet(path, row_group_size=500)
        reader = spark.read
    table = reader.format(file_format).load(str(path))
    table.createOrReplaceTempView("input_rows")
    assert table.rdd.getNumPartitions() > 4, "the file was not read in several splits"

    numbered = spark.sql(spark_rows_in_file_order("input_rows")).toPandas()

    numbered = numbered.astype({"position": "int64", "source_row_number": "int64"})
    numbered = numbered.sort_values("source_row_number")
    assert numbered["source_row_number"].tolist() == list(range(1, ROWS + 1))
    assert (numbered["source_row_number"] == numbered["position"]).all(), "rows numbered out of file order"
