"""The values each ML var accepts, in one place: ml.risk and ml.segmentation dispatch on them, and
validate_vars checks the vars against them before any model runs, reading them through the dbt-duckdb plugin
on DuckDB (ml.dbt_plugin) and through the ML job's table ml.var_choices on Spark (ml.spark_job).

It imports nothing: the plugin loads it into every dbt run, and a run without a Python model (dbt test, a
SQL-only selection, a build stopped by validate_vars) must not pay for importing the ML stack."""

RISK_ALGORITHMS = ("random_forest", "hist_gradient_boosting", "logistic_regression")
RISK_TARGETS = ("outcome", "segment")
SEGMENTATION_ALGORITHMS = ("kmeans", "dbscan", "agglomerative")

VAR_CHOICES = {
    "risk_target": RISK_TARGETS,
    "risk_algorithm": RISK_ALGORITHMS,
    "segmentation_algorithm": SEGMENTATION_ALGORITHMS,
}
