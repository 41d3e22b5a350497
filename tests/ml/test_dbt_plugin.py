"""The plugin hands SQL exactly the values the ML code dispatches on, and runs BLAS on one thread."""

import duckdb
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from ml import risk, segmentation
from ml.dbt_plugin import Plugin, choices_macro_sql
from ml.estimators import PlattCalibrator


def test_ml_var_choices_lists_every_accepted_value_of_the_ml_code():
    connection = duckdb.connect()
    connection.execute(choices_macro_sql())

    rows = connection.execute("select var_name, accepted_value from ml_var_choices()").fetchall()

    assert rows == [
        *(("risk_target", value) for value in risk.TARGETS),
        *(("risk_algorithm", value) for value in risk.ALGORITHMS),
        *(("segmentation_algorithm", value) for value in segmentation.ALGORITHMS),
    ]


def test_the_plugin_runs_blas_on_one_thread_so_that_a_calibration_fits_the_same_in_every_build():
    """K-Means lowers the process-wide BLAS limit for a while; a Platt calibration fitting meanwhile in
    another dbt thread differed in its last bits (so did every score, from one build to the next). Under the
    plugin's limit it fits to the same bits whatever K-Means does beside it."""
    rng = np.random.default_rng(0)
    raw = np.round(rng.beta(0.7, 1.2, 20_000), 2)
    labels = (rng.uniform(size=len(raw)) < raw).astype(float)

    def intercept() -> bytes:
        return PlattCalibrator().fit(raw, labels).regression.intercept_.tobytes()

    with threadpool_limits(2, user_api="blas"):
        Plugin("ml", {})
        assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} == {1}
        as_built = intercept()
        with threadpool_limits(1, user_api="blas"):  # as K-Means sets it
            beside_k_means = intercept()
    assert as_built == beside_k_means
