"""The ML step on plain Apache Spark: the dbt Python models' work, as one PySpark job between two dbt runs.

dbt-spark runs Python models only on Databricks, so on a Spark session or a Thrift cluster (target type
`spark`) the Python models are disabled and this job writes their tables, under their names, to the database
ML_SCHEMA; the same-named SQL models of models/*/spark_ml read them there, so every model below the ML step
refs the same names on both engines. Every fit is the dbt Python models' own code (ml.risk, ml.segmentation,
ml.explain, ml.drift, ml.run_metrics), called with the same settings: the Python models' configs, read from
dbt's manifest (the vars are mapped in one place, the models' YAML) and turned into arguments by ml.settings,
as the Python models do.

Where the work runs:
- driver: loan_features sorted by loan id (the order the fits depend on), the segmentation, the risk fits on
  the training observations (loan_observations, at most var risk_training_rows) with their
  out-of-fold scores, the drift, the run summaries, and the open loans rescored under each stress scenario
  (ml.stress);
- executors: every loan outside the training sample is scored, and every loan's reason codes are found, by
  mapInPandas with the fitted model broadcast.

Usage (from the project root, after `dbt build --target spark` of everything above the ML step):
    python -m ml.spark_job prepare                  # ML_SCHEMA.var_choices, read by validate_vars
    python -m ml.spark_job score --manifest target/manifest.json
tools/spark_build.py runs both in its own Spark session around the dbt runs (make build-spark).
"""

import argparse
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from ml.drift import population_stability
from ml.estimators import one_blas_thread
from ml.explain import REASON_COUNT, explain_scores, feature_importance
from ml.features import ID_COLUMN
from ml.frames import OBSERVATION_DATE_COLUMN
from ml.model_store import saved_models, selected_model
from ml.refit_policy import LAST_SCORING_SQL, scores_for_build
from ml.risk import score_loans
from ml.run_metrics import model_runs_rows
from ml.segmentation import segment_borrowers, segmentation_quality
from ml.settings import ExplainSettings, ModelRunsSettings, RiskSettings, SegmentSettings
from ml.stress import model_scorer, restress, stress_fingerprint
from ml.var_choices import VAR_CHOICES

# The database of the job's tables (models/intermediate/spark_ml/_spark_ml__sources.yml reads them).
ML_SCHEMA = "ml"
# The database of the intermediate models (macros/project/generate_schema_name.sql) the job reads besides
# loan_features: the stress scenarios and the loans' input fingerprints, built by the first dbt run.
INTERMEDIATE_SCHEMA = "intermediate"
PROJECT = "loan_recovery"
# Tables kept across builds, one row per fit; the same-named models keep each run's latest row.
HISTORY_TABLES = ("model_runs", "segmentation_runs")


def python_model_configs(manifest_path: str | Path) -> dict[str, dict]:
    """Name -> config of each of the project's Python models, from dbt's manifest.

    On the spark target a Python model is disabled and its YAML config (the vars it reads) lands on the
    enabled model of the same name, its stand-in; elsewhere the Python model is the enabled one.
    """
    manifest = json.loads(Path(manifest_path).read_text())
    enabled = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    disabled = [node for versions in manifest.get("disabled", {}).values() for node in versions]
    names = {
        node["name"]
        for node in enabled + disabled
        if node["package_name"] == PROJECT and node.get("language") == "python"
    }
    return {node["name"]: node["config"] for node in enabled if node["name"] in names}


def prepare(spark) -> None:
    """Writes ML_SCHEMA.var_choices: the values each ML var accepts (ml.var_choices)."""
    rows = [(name, value) for name, values in VAR_CHOICES.items() for value in values]
    spark.sql(f"create database if not exists {ML_SCHEMA}")
    choices = spark.createDataFrame(rows, "var_name string, accepted_value string")
    choices.write.mode("overwrite").saveAsTable(f"{ML_SCHEMA}.var_choices")


def score(spark, configs: dict[str, dict], features_table: str) -> None:
    """Runs the ML step on `features_table` (loan_features; the training observations, loan_observations, in
    the same database) and writes the Python models' tables."""
    spark.sql(f"create database if not exists {ML_SCHEMA}")
    features_frame = _as_doubles(spark.table(features_table))
    features = features_frame.orderBy(ID_COLUMN).toPandas()

    segmenting = SegmentSettings.from_vars(configs["int_borrowers_segmented"])
    segments = segment_borrowers(features, **segmenting.arguments())
    _write(spark, segments, "int_borrowers_segmented")
    quality = segmentation_quality(features, segments, **segmenting.arguments())
    _write(spark, pd.DataFrame([quality]).assign(fitted_at=pd.Timestamp.now(tz="UTC")), "segmentation_runs")

    scoring = RiskSettings.from_vars(configs["int_loans_scored"])
    risk_model_dir = scoring.risk_model_dir

    def fit(loans):
        observations = (
            _as_doubles(spark.table(features_table.rsplit(".", 1)[0] + ".loan_observations"))
            .orderBy(ID_COLUMN, OBSERVATION_DATE_COLUMN)
            .toPandas()
        )
        return score_loans(
            loans,
            segments=segments,
            score_others=_executor_scorer(features_frame),
            training=observations,
            **scoring.fit_arguments(),
        )

    # Every Spark build is a full build (its tables are rebuilt whole): the policy fits, unless a saved model
    # is named (var risk_model_run_id).
    now = pd.Timestamp.now(tz="UTC")
    scores = scores_for_build(
        features, fit, scoring.refit_policy, risk_model_dir, now, risk_model_run_id=scoring.risk_model_run_id
    )
    _write(spark, scores, "int_loans_scored")

    selected_scores = scores[scores["is_selected"]]
    selected = selected_model(selected_scores, risk_model_dir)
    out_of_fold = selected_scores.loc[selected_scores["is_out_of_fold"].astype(bool), ID_COLUMN]
    explaining = ExplainSettings.from_vars(configs["int_loans_explained"])
    explained_loans = (
        features_frame if explaining.explain_resolved_loans else features_frame.filter("is_open")
    )
    explained = _explained_on_executors(
        explained_loans, selected_model(selected_scores, risk_model_dir, with_folds=True), out_of_fold
    )
    _write_frame(spark, explained, "int_loans_explained")
    _write(spark, feature_importance(saved_models(scores, risk_model_dir)), "int_features_ranked")
    drift = population_stability(selected, features, scores[scores["is_selected"]])
    _write(spark, drift, "int_features_drift_measured")
    _write(spark, _stressed(spark, features, segments, selected_scores, risk_model_dir), "int_loans_stressed")
    run_settings = ModelRunsSettings.from_vars(configs["model_runs"])
    last_scoring = duckdb.query_df(scores, "scored", LAST_SCORING_SQL).df()
    _write(spark, model_runs_rows(last_scoring, **run_settings.arguments()), "model_runs")


def _stressed(spark, features, segments, selected_scores, risk_model_dir) -> pd.DataFrame:
    """int_loans_stressed: the open loans under each stress scenario, rescored on the driver by the model in
    use, with its fold models, as the Python model does (ml.stress.restress; a Spark build is a full build, so
    every open loan is rescored)."""
    scenarios = spark.table(f"{INTERMEDIATE_SCHEMA}.int_stress_scenarios").toPandas()
    collateral = spark.table(f"{INTERMEDIATE_SCHEMA}.int_stress_collateral_changes").toPandas()
    loan_states = spark.sql(
        "select loan_key as loan_id, md5(concat_ws('|', cast(input_fingerprint as string), build_context, "
        f"cast(as_of_date as string))) as loan_state from {INTERMEDIATE_SCHEMA}.int_loan_inputs_fingerprinted"
    ).toPandas()
    fitted = selected_model(selected_scores, risk_model_dir, with_folds=True)
    fingerprint = stress_fingerprint(fitted.run_id, scenarios, collateral)
    with duckdb.connect() as connection:
        open_loans = features[features["is_open"].astype(bool)]
        for name, frame in [("open_loans", open_loans), ("segments", segments), ("loan_states", loan_states)]:
            connection.register(name, frame)
        return restress(
            connection,
            connection.view("open_loans"),
            scenarios,
            collateral,
            connection.view("segments"),
            model_scorer(fitted),
            fingerprint,
            connection.view("loan_states"),
        ).df()


def _executor_scorer(features_frame):
    """score_others for ml.risk.score_loans: the given loans scored by mapInPandas, the model broadcast."""

    def score_others(fitted, loan_ids: pd.Series) -> np.ndarray:
        spark = features_frame.sparkSession
        model = spark.sparkContext.broadcast(fitted)
        wanted = spark.createDataFrame(pd.DataFrame({ID_COLUMN: loan_ids.astype(str).to_numpy()}))

        def predict(batches):
            for batch in batches:
                yield pd.DataFrame(
                    {
                        ID_COLUMN: batch[ID_COLUMN],
                        "risk_score": model.value.predict(model.value.feature_matrix(batch), 1),
                    }
                )

        scored = (
            features_frame.join(wanted, ID_COLUMN, "left_semi")
            .mapInPandas(predict, f"{ID_COLUMN} string, risk_score double")
            .toPandas()
        )
        model.unpersist()
        aligned = pd.DataFrame({ID_COLUMN: loan_ids.astype(str).to_numpy()}).merge(
            scored, on=ID_COLUMN, how="left", validate="one_to_one"
        )
        if aligned["risk_score"].isna().any():
            raise ValueError(f"{int(aligned['risk_score'].isna().sum())} loans came back from Spark unscored")
        return aligned["risk_score"].to_numpy(dtype="float64")

    return score_others


def _explained_on_executors(features_frame, fitted, out_of_fold: pd.Series):
    """Every loan's reason codes (ml.explain.explain_scores), by mapInPandas with the model broadcast: a loan
    in `out_of_fold` (loan ids) by its fold's model, as on DuckDB, every other loan by the final model."""
    context = features_frame.sparkSession.sparkContext
    model, scored_out_of_fold = context.broadcast(fitted), context.broadcast(out_of_fold.astype(str))
    reasons = ", ".join(
        f"reason_{rank} string, reason_{rank}_contribution double" for rank in range(1, REASON_COUNT + 1)
    )

    def explain(batches):
        for batch in batches:
            yield explain_scores(model.value, batch, scored_out_of_fold.value, n_jobs=1)

    return features_frame.mapInPandas(
        explain, f"{ID_COLUMN} string, run_id string, {reasons}, base_score double, other_contribution double"
    )


def _as_doubles(frame):
    """Decimal columns as double, as DuckDB hands them to the Python models."""
    from pyspark.sql.types import DecimalType

    return frame.select(
        *[
            frame[field.name].cast("double").alias(field.name)
            if isinstance(field.dataType, DecimalType)
            else frame[field.name]
            for field in frame.schema.fields
        ]
    )


def _write(spark, frame: pd.DataFrame, name: str) -> None:
    """A pandas frame as the table ML_SCHEMA.name (history tables get the rows appended)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # A column with no value at all has no type: it is text, as in DuckDB.
    table = table.cast(
        pa.schema([pa.field(f.name, pa.string()) if pa.types.is_null(f.type) else f for f in table.schema])
    )
    _write_frame(spark, spark.createDataFrame(table), name)


def _write_frame(spark, frame, name: str) -> None:
    mode = (
        "append"
        if name in HISTORY_TABLES and spark.catalog.tableExists(f"{ML_SCHEMA}.{name}")
        else "overwrite"
    )
    frame.write.mode(mode).format("parquet").saveAsTable(f"{ML_SCHEMA}.{name}")


def main(argv: list[str] | None = None) -> None:
    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(prog="python -m ml.spark_job", description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["prepare", "score"])
    parser.add_argument(
        "--manifest", default="target/manifest.json", help="dbt's manifest of the spark target"
    )
    parser.add_argument("--features-table", default="main.loan_features", help="the loan_features mart")
    args = parser.parse_args(argv)
    one_blas_thread()  # as in the dbt process on DuckDB, so that the fits agree to the bit
    spark = SparkSession.builder.appName("loan-recovery-ml").enableHiveSupport().getOrCreate()
    if args.step == "prepare":
        prepare(spark)
    else:
        score(spark, python_model_configs(args.manifest), args.features_table)


if __name__ == "__main__":
    main()
