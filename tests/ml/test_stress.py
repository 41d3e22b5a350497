"""Stress shocks (ml.stress): the arithmetic at its edges, the stable unemployment draw, and rescoring."""

import duckdb
import numpy as np
import pandas as pd
import pytest

from ml.risk import fit_risk_models, score_with_model
from ml.stress import (
    MIN_MONTHLY_INCOME,
    STRESSED_COLUMNS,
    income_multiplier,
    is_unemployed,
    model_scorer,
    restress,
    shocked_features,
    stress_fingerprint,
    stress_loans,
    unemployment_draw,
)
from tests.ml.conftest import make_loan_features

IDS = pd.Series([f"LN_{i}" for i in range(5000)])


def loan_features(n_loans: int = 6, seed: int = 0) -> pd.DataFrame:
    """A small loan_features-like frame whose derived ratios follow loan_features.sql's formulas."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "loan_id": [f"LN_{i}" for i in range(n_loans)],
            "loan_type": (["Home", "Auto", "Personal"] * n_loans)[:n_loans],
            "monthly_income": rng.uniform(20_000, 90_000, n_loans).round(2),
            "monthly_emi": rng.uniform(2_000, 20_000, n_loans).round(2),
            "loan_amount": rng.uniform(100_000, 900_000, n_loans).round(2),
            "collateral_value": rng.uniform(0, 900_000, n_loans).round(2),
        }
    )
    frame.loc[0, "collateral_value"] = 0.0
    return shocked_features(frame, np.ones(n_loans), np.ones(n_loans))


def ratios(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[
        [
            "emi_to_income_ratio",
            "loan_to_annual_income_ratio",
            "loan_to_value_ratio",
            "collateral_coverage_ratio",
        ]
    ]


def test_the_ratios_are_loan_features_formulas():
    frame = loan_features()
    row = frame.iloc[1]
    assert row.emi_to_income_ratio == row.monthly_emi / row.monthly_income
    assert row.loan_to_annual_income_ratio == row.loan_amount / (12 * row.monthly_income)
    assert row.loan_to_value_ratio == row.loan_amount / row.collateral_value
    assert row.collateral_coverage_ratio == row.collateral_value / row.loan_amount
    # no collateral: no loan-to-value (loan_features' nullif), a zero coverage
    assert np.isnan(frame.loc[0, "loan_to_value_ratio"]) and frame.loc[0, "collateral_coverage_ratio"] == 0


def test_no_change_leaves_every_feature_exactly_as_it_was():
    frame = loan_features()
    unchanged = shocked_features(frame, income_multiplier(0.0, np.zeros(6, bool), -0.6), np.ones(6))
    pd.testing.assert_frame_equal(unchanged, frame)


def test_an_income_change_moves_the_burden_ratios_and_nothing_else():
    frame = loan_features()
    shocked = shocked_features(frame, income_multiplier(0.25, np.zeros(6, bool), 0.0), np.ones(6))
    np.testing.assert_allclose(shocked.monthly_income, frame.monthly_income * 1.25)
    np.testing.assert_allclose(shocked.emi_to_income_ratio, frame.emi_to_income_ratio / 1.25)
    np.testing.assert_allclose(shocked.loan_to_annual_income_ratio, frame.loan_to_annual_income_ratio / 1.25)
    pd.testing.assert_frame_equal(
        shocked[["collateral_value", "loan_to_value_ratio"]],
        frame[["collateral_value", "loan_to_value_ratio"]],
    )


def test_minus_100_percent_income_keeps_one_unit_and_finite_ratios():
    frame = loan_features()
    shocked = shocked_features(frame, income_multiplier(-1.0, np.zeros(6, bool), 0.0), np.ones(6))
    assert (shocked.monthly_income == MIN_MONTHLY_INCOME).all()
    np.testing.assert_array_equal(shocked.emi_to_income_ratio, frame.monthly_emi)
    assert np.isfinite(shocked.loan_to_annual_income_ratio).all()


def test_a_change_below_minus_100_percent_is_refused():
    with pytest.raises(ValueError, match="income_change must be -1"):
        income_multiplier(-1.01, np.zeros(2, bool), 0.0)
    with pytest.raises(ValueError, match="unemployed_income_change must be -1"):
        income_multiplier(0.0, np.zeros(2, bool), -1.5)
    with pytest.raises(ValueError, match="collateral_change"):
        shocked_features(loan_features(), np.ones(6), np.full(6, -0.5))


def test_losing_employment_income_compounds_with_the_income_change():
    unemployed = np.array([True, False])
    np.testing.assert_allclose(income_multiplier(-0.1, unemployed, -0.6), [0.9 * 0.4, 0.9])


def test_collateral_minus_100_percent_leaves_none():
    frame = loan_features()
    shocked = shocked_features(frame, np.ones(6), np.zeros(6))
    assert (shocked.collateral_value == 0).all() and (shocked.collateral_coverage_ratio == 0).all()
    assert shocked.loan_to_value_ratio.isna().all()
    pd.testing.assert_series_equal(shocked.emi_to_income_ratio, frame.emi_to_income_ratio)


def test_the_unemployment_draw_is_stable_uniform_and_below_one():
    draw = unemployment_draw(IDS)
    np.testing.assert_array_equal(draw, unemployment_draw(IDS.copy()))
    # the same id draws the same number wherever it sits
    assert unemployment_draw(pd.Series(["LN_7"]))[0] == draw[7]
    assert draw.min() >= 0 and draw.max() < 1
    assert abs(draw.mean() - 0.5) < 0.02


@pytest.mark.parametrize(("share", "expected"), [(0.0, 0), (1.0, 5000)])
def test_unemployment_share_0_hits_no_one_and_1_everyone(share, expected):
    assert is_unemployed(IDS, share).sum() == expected


def test_a_larger_unemployment_share_hits_every_loan_a_smaller_one_hit():
    mild, severe = is_unemployed(IDS, 0.03), is_unemployed(IDS, 0.06)
    assert (severe >= mild).all()
    assert abs(mild.mean() - 0.03) < 0.01 and abs(severe.mean() - 0.06) < 0.015


def scenarios(*rows: dict) -> pd.DataFrame:
    defaults = {
        "income_change": 0.0,
        "unemployment_share": 0.0,
        "unemployed_income_change": -0.6,
        "scope_segment_name": None,
        "scope_loan_type": None,
        "severity_order": None,
        "is_what_if": False,
    }
    return pd.DataFrame([{**defaults, **row} for row in rows])


NO_COLLATERAL_CHANGE = pd.DataFrame(columns=["scenario", "loan_type", "collateral_change"])


def burden_score(frame: pd.DataFrame) -> np.ndarray:
    """A stand-in model: the instalment burden and the collateral coverage, squashed into (0, 1)."""
    return 1 / (
        1 + np.exp(-(frame.emi_to_income_ratio.to_numpy() - frame.collateral_coverage_ratio.to_numpy()))
    )


def segments_of(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"loan_id": frame.loan_id, "segment_name": ["A", "B"] * (len(frame) // 2)})


def test_every_loan_under_every_scenario_in_loan_order_with_its_own_score():
    frame = loan_features().sample(frac=1, random_state=1)  # any input order
    collateral = pd.DataFrame({"scenario": ["severe"], "loan_type": ["Home"], "collateral_change": [-0.5]})
    result = stress_loans(
        frame,
        scenarios(
            {"scenario": "baseline", "severity_order": 0}, {"scenario": "severe", "income_change": -0.5}
        ),
        collateral,
        segments_of(frame),
        burden_score,
    )
    assert list(result.columns) == STRESSED_COLUMNS
    assert len(result) == 12 and result.loan_id.is_monotonic_increasing
    baseline = result[result.scenario == "baseline"].set_index("loan_id")
    expected = pd.Series(burden_score(frame), index=frame.loan_id)
    np.testing.assert_array_equal(baseline.model_probability_of_default, expected[baseline.index])
    severe = result[result.scenario == "severe"].set_index("loan_id")
    by_id = frame.set_index("loan_id")
    np.testing.assert_allclose(severe.stressed_monthly_income, by_id.monthly_income[severe.index] * 0.5)
    is_home = by_id.loan_type[severe.index] == "Home"
    np.testing.assert_allclose(
        severe.stressed_collateral_value, by_id.collateral_value[severe.index] * np.where(is_home, 0.5, 1)
    )
    assert (severe.model_probability_of_default > baseline.model_probability_of_default).all()


def test_a_what_if_limited_to_a_segment_and_loan_type_leaves_other_loans_alone():
    frame = loan_features(12)
    what_if = {
        "scenario": "what-if",
        "income_change": 0.2,
        "scope_segment_name": "A",
        "scope_loan_type": "Home",
    }
    result = stress_loans(frame, scenarios(what_if), NO_COLLATERAL_CHANGE, segments_of(frame), burden_score)
    loans = (
        frame.assign(segment_name=segments_of(frame).segment_name).set_index("loan_id").loc[result.loan_id]
    )
    in_scope = (loans.segment_name == "A").to_numpy() & (loans.loan_type == "Home").to_numpy()
    assert 0 < in_scope.sum() < len(loans)
    np.testing.assert_array_equal(result.is_in_scope, in_scope)
    np.testing.assert_allclose(
        result.stressed_monthly_income, loans.monthly_income * np.where(in_scope, 1.2, 1.0)
    )


def test_an_unknown_segment_or_a_duplicate_scenario_is_refused():
    frame = loan_features()
    with pytest.raises(ValueError, match="unknown segment"):
        stress_loans(
            frame,
            scenarios({"scenario": "what-if", "scope_segment_name": "Z"}),
            NO_COLLATERAL_CHANGE,
            segments_of(frame),
            burden_score,
        )
    with pytest.raises(ValueError, match="duplicate scenario"):
        stress_loans(
            frame,
            scenarios({"scenario": "x"}, {"scenario": "x"}),
            NO_COLLATERAL_CHANGE,
            segments_of(frame),
            burden_score,
        )


def test_the_model_in_use_rescores_unshocked_loans_exactly_as_it_scored_them():
    drawn, _ = make_loan_features(600, 150)
    # the ratios as loan_features.sql derives them from the amounts (the fixture draws them)
    features = shocked_features(drawn.assign(loan_type="Personal"), np.ones(600), np.ones(600))
    [(fitted, _)] = fit_risk_models(features, algorithms=("hist_gradient_boosting",), n_estimators=30)
    result = stress_loans(
        features,
        scenarios({"scenario": "baseline"}, {"scenario": "jobless", "unemployment_share": 1.0}),
        NO_COLLATERAL_CHANGE,
        segments_of(features),
        model_scorer(fitted),
    )
    baseline = result[result.scenario == "baseline"]
    np.testing.assert_array_equal(
        baseline.model_probability_of_default, score_with_model(fitted, features)["risk_score"]
    )
    jobless = result[result.scenario == "jobless"]
    assert jobless.is_unemployed.all()
    assert jobless.model_probability_of_default.mean() > baseline.model_probability_of_default.mean()


class CountingScorer:
    """burden_score, counting the loans it is asked to score (under any scenario)."""

    def __init__(self):
        self.loan_ids = set()

    @property
    def loans_scored(self) -> int:
        return len(self.loan_ids)

    def __call__(self, frame: pd.DataFrame) -> np.ndarray:
        self.loan_ids.update(frame.loan_id)
        return burden_score(frame)


def restressed(frame, previous, fingerprint="f1", states=None, scorer=None, segments=None):
    states = states if states is not None else pd.DataFrame({"loan_id": frame.loan_id, "loan_state": "s"})
    segments = segments if segments is not None else segments_of(frame)
    two = scenarios(
        {"scenario": "baseline", "severity_order": 0}, {"scenario": "jobless", "unemployment_share": 1.0}
    )
    # the inputs as the model reads them: relations on its DuckDB connection, the last build's rows a query
    connection = duckdb.connect()
    inputs = {"features": frame, "segments": segments, "loan_states": states}
    for name, relation in inputs.items():
        connection.register(name, relation)
    if previous is not None:
        connection.register("last_build", previous)
    return restress(
        connection,
        connection.view("features"),
        two,
        NO_COLLATERAL_CHANGE,
        connection.view("segments"),
        scorer or burden_score,
        fingerprint,
        connection.view("loan_states"),
        None if previous is None else "select * from last_build",
    ).df()


def test_a_build_with_nothing_changed_rescores_no_loan_and_gives_the_same_rows():
    frame = loan_features(8)
    first = restressed(frame, None)
    scorer = CountingScorer()

    again = restressed(frame, first, scorer=scorer)

    assert scorer.loans_scored == 0
    pd.testing.assert_frame_equal(again, first)


def test_only_the_changed_loan_is_rescored_and_the_result_equals_a_full_rescoring():
    frame = loan_features(8)
    first = restressed(frame, None)
    changed = frame.copy()
    changed.loc[changed.loan_id == "LN_3", "monthly_income"] *= 0.5
    changed = shocked_features(changed, np.ones(8), np.ones(8))
    states = pd.DataFrame(
        {"loan_id": frame.loan_id, "loan_state": np.where(frame.loan_id == "LN_3", "s2", "s")}
    )
    scorer = CountingScorer()

    again = restressed(changed, first, states=states, scorer=scorer)

    assert scorer.loans_scored == 1
    pd.testing.assert_frame_equal(again, restressed(changed, None, states=states))


def test_a_loan_whose_segment_changed_is_rescored():
    """A what-if may be scoped to a segment: a loan moved to another one is stressed again, though its inputs
    are the same."""
    frame = loan_features(8)
    first = restressed(frame, None)
    moved = segments_of(frame)
    moved.loc[moved.loan_id == "LN_3", "segment_name"] = "C"
    scorer = CountingScorer()

    restressed(frame, first, scorer=scorer, segments=moved)

    assert scorer.loan_ids == {"LN_3"}


def test_a_loan_missing_a_scenario_row_is_rescored_whole():
    frame = loan_features(8)
    first = restressed(frame, None)
    partial = first[~((first.loan_id == "LN_3") & (first.scenario == "jobless"))]
    scorer = CountingScorer()

    again = restressed(frame, partial, scorer=scorer)

    assert scorer.loan_ids == {"LN_3"}
    pd.testing.assert_frame_equal(again, first)


def test_another_model_or_scenario_set_rescores_every_loan():
    frame = loan_features(8)
    first = restressed(frame, None)
    scorer = CountingScorer()

    restressed(frame, first, fingerprint="f2", scorer=scorer)

    assert scorer.loans_scored == 8


def test_the_fingerprint_follows_the_model_and_the_scenarios_not_their_row_order():
    two = scenarios({"scenario": "a"}, {"scenario": "b", "income_change": -0.1})
    collateral = pd.DataFrame(
        {"scenario": ["b", "b"], "loan_type": ["Home", "Auto"], "collateral_change": [-0.3, -0.1]}
    )
    fingerprint = stress_fingerprint("run1", two, collateral)

    assert stress_fingerprint("run1", two.iloc[::-1], collateral.iloc[::-1]) == fingerprint
    assert stress_fingerprint("run2", two, collateral) != fingerprint
    assert stress_fingerprint("run1", two.assign(income_change=[0.0, -0.2]), collateral) != fingerprint
    assert stress_fingerprint("run1", two, collateral.assign(collateral_change=-0.5)) != fingerprint
