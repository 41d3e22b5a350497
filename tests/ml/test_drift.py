"""Population stability index: near 0 for the same population, large for a shifted one, missing binned."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ml.drift import population_stability, population_stability_index, reference_binning


def test_the_same_population_is_stable_and_a_shifted_one_is_not():
    rng = np.random.default_rng(0)
    training = rng.normal(size=20_000)
    reference = reference_binning(training)

    assert len(reference.edges) == 9 and reference.shares.sum() == pytest.approx(1)
    assert population_stability_index(reference, rng.normal(size=5_000)) < 0.01
    assert population_stability_index(reference, rng.normal(0.5, 1, 5_000)) > 0.2
    assert population_stability_index(reference, np.array([])) is None


def test_the_index_follows_its_formula_on_a_flag_and_counts_missing_values():
    reference = reference_binning(np.array([0.0] * 50 + [1.0] * 50))
    scored = np.array([0.0] * 20 + [1.0] * 60 + [np.nan] * 20)

    # Bins: 0, 1, missing; the empty missing bin of the training loans is floored at 1e-4.
    expected, actual = np.array([0.5, 0.5, 1e-4]), np.array([0.2, 0.6, 0.2])
    assert len(reference.shares) == 3
    assert population_stability_index(reference, scored) == pytest.approx(
        ((actual - expected) * np.log(actual / expected)).sum()
    )


def test_only_loans_the_model_scored_itself_are_compared():
    training = np.linspace(0, 1, 1_000)
    fitted = SimpleNamespace(
        run_id="r1",
        target="outcome",
        feature_names=["x"],
        feature_reference={"x": reference_binning(training)},
        score_reference=reference_binning(training),
        feature_matrix=lambda frame: frame[["x"]].to_numpy(dtype=float),
    )
    features = pd.DataFrame(
        {
            "loan_id": ["A", "B", "C", "D", "E"],
            "x": [0.1, 0.2, 0.9, 0.95, 0.15],
            "is_not_fully_recovered": pd.array([0, 1, None, None, 0], dtype="Int64"),
        }
    )
    scores = pd.DataFrame(
        {
            "loan_id": ["A", "B", "C", "D", "E"],
            "run_id": "r1",
            "risk_score": [0.1, 0.2, 0.9, 0.95, 0.15],
            # E was resolved but outside the training sample: scored by the model, yet not a new loan.
            "is_out_of_fold": [True, True, False, False, False],
        }
    )

    table = population_stability(fitted, features, scores).set_index("variable_name")

    assert table.index.tolist() == ["risk_score", "x"]
    assert (table["n_scored_rows"] == 2).all() and (table["n_reference_rows"] == 1_000).all()
    assert (table["population_stability_index"] > 0.2).all(), (
        "only the two high loans were scored by the model"
    )
    assert population_stability(fitted, features, scores.assign(is_out_of_fold=True)).empty
    segment_model = SimpleNamespace(**(vars(fitted) | {"target": "segment"}))
    assert population_stability(segment_model, features, scores).empty, "every loan had a label"
    saved_model_scores = scores.assign(is_out_of_fold=False)
    assert (population_stability(fitted, features, saved_model_scores)["n_scored_rows"] == 5).all()
