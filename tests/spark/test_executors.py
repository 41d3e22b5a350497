"""The ML job's executor work on a real (if small) cluster: Spark's local-cluster master starts two executor
JVMs of their own, as Spark's own tests do, so the fitted model and the scoring code must survive
serialization and run there, not in the driver. The scores and reason codes must equal what the driver
computes itself."""

import numpy as np
import pandas as pd
import pytest

from ml import spark_job
from ml.explain import explain_scores
from ml.features import ID_COLUMN
from ml.risk import fit_risk_models
from tests.ml.conftest import make_loan_features
from tools.spark_build import check_java, local_session

pytestmark = pytest.mark.slow

EXECUTORS = 2


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    check_java()
    spark = local_session(tmp_path_factory.mktemp("cluster"), master=f"local-cluster[{EXECUTORS},1,2048]")
    yield spark
    spark.stop()


def test_scoring_and_reasons_run_on_two_executors_and_match_the_driver(cluster):
    features, _ = make_loan_features(600, n_open=100, seed=3)
    frame = spark_job._as_doubles(cluster.createDataFrame(features)).repartition(4)
    ((fitted, driver_scores),) = fit_risk_models(features, risk_training_rows=200, cv_folds=3, random_state=5)
    others = driver_scores.loc[~driver_scores["is_out_of_fold"], ID_COLUMN]
    out_of_fold = driver_scores.loc[driver_scores["is_out_of_fold"], ID_COLUMN]

    on_executors = spark_job._executor_scorer(frame)(fitted, others.reset_index(drop=True))
    reasons = spark_job._explained_on_executors(frame, fitted, out_of_fold).toPandas()

    executors = cluster.sparkContext._jsc.sc().getExecutorIds()
    assert executors.size() == EXECUTORS, "the tasks did not run on a cluster's executors"
    np.testing.assert_allclose(
        on_executors, driver_scores.loc[others.index, "risk_score"].to_numpy(), rtol=1e-12, atol=1e-12
    )
    expected = explain_scores(fitted, features, out_of_fold).sort_values(ID_COLUMN, ignore_index=True)
    pd.testing.assert_frame_equal(
        reasons.sort_values(ID_COLUMN, ignore_index=True)[list(expected.columns)], expected, check_dtype=False
    )
