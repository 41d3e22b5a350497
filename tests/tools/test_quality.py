"""The quality table: models against the oracle of the generator's true probabilities, best model first."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from tools.quality import measure, quality_table

# Large enough for the bar to mean something, small enough for CI: a few minutes for both timings.
CI_LOANS = 20_000


def test_models_are_ranked_by_auc_and_judged_against_the_oracle():
    rng = np.random.default_rng(0)
    probability = rng.uniform(0, 1, 4_000)
    truth = pd.DataFrame(
        {
            "loan_id": [f"L{i:04d}" for i in range(4_000)],
            "true_probability_not_recovered": probability,
            "is_open": np.arange(4_000) % 5 == 0,
            "is_not_fully_recovered": rng.binomial(1, probability).astype(bool),
        }
    )
    resolved = truth[~truth["is_open"]]
    oracle_auc = roc_auc_score(resolved["is_not_fully_recovered"], resolved["true_probability_not_recovered"])
    runs = pd.DataFrame(
        {
            "algorithm": ["random_forest", "logistic_regression", "hist_gradient_boosting"],
            "cv_roc_auc": [oracle_auc - 0.02, oracle_auc - 0.005, oracle_auc - 0.008],
            "expected_calibration_error": [0.01, 0.015, 0.03],
            "cv_brier": [0.2, 0.19, 0.195],
        }
    )

    table = quality_table(runs, truth)

    assert table["model"].tolist() == [
        "logistic_regression",
        "hist_gradient_boosting",
        "random_forest",
        "oracle (true probability)",
    ]
    assert table["meets_bar"].tolist()[:3] == [True, False, False]
    assert table["auc_gap_to_oracle"].iloc[0] == pytest.approx(0.005)
    assert table["cv_roc_auc"].iloc[3] == pytest.approx(oracle_auc)
    assert table["expected_calibration_error"].iloc[3] < 0.05


def test_a_model_above_the_oracle_misses_the_bar_it_is_a_leak():
    truth = pd.DataFrame(
        {
            "loan_id": ["L1", "L2", "L3", "L4"],
            "true_probability_not_recovered": [0.2, 0.6, 0.4, 0.8],
            "is_open": False,
            "is_not_fully_recovered": [False, False, True, True],
        }
    )
    runs = pd.DataFrame(
        {"algorithm": ["leaky"], "cv_roc_auc": [1.0], "expected_calibration_error": [0.0], "cv_brier": [0.0]}
    )

    table = quality_table(runs, truth)

    assert table["auc_gap_to_oracle"].iloc[0] == pytest.approx(-0.25)
    assert not table["meets_bar"].iloc[0]


@pytest.mark.slow
@pytest.mark.parametrize("timing_mode", ["snapshot", "realistic"])
def test_the_best_model_meets_the_quality_bar_on_generated_loans(timing_mode):
    table = measure(CI_LOANS, seed=1, timing_mode=timing_mode)

    print(f"\n{timing_mode} timing, {CI_LOANS:,} loans:\n{table.to_string()}")
    assert table["meets_bar"].iloc[0], table.to_string()
