"""The values each ML var accepts, defined next to the code that dispatches on them (ml.risk,
ml.segmentation).

validate_vars checks the vars before any model runs; it reads these lists through the dbt-duckdb plugin on
DuckDB (ml.dbt_plugin) and through the ML job's table ml.var_choices on Spark (ml.spark_job)."""

from ml import risk, segmentation

VAR_CHOICES = {
    "risk_target": risk.TARGETS,
    "risk_algorithm": risk.ALGORITHMS,
    "segmentation_algorithm": segmentation.ALGORITHMS,
}
