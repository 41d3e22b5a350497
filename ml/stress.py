"""Stress tests and what-if: open loans rescored by the risk model in use under borrower-level shocks.

A scenario (seed stress_scenarios, or the var what_if) changes every borrower's income, takes employment
income away from a share of borrowers, and changes collateral values by loan type. The shocked loans' model
features are recomputed with loan_features.sql's formulas and scored by the same fitted model
(ml.risk.score_with_model); the PD multipliers, expected loss and the marts are SQL (models/marts/stress).
"""

import hashlib
import json
from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from ml.features import ID_COLUMN
from ml.frames import in_loan_order, read_frame
from ml.model_store import FittedModel
from ml.risk import score_with_model

# A borrower's income never falls below one currency unit: at -100% the burden ratios stay finite (the whole
# instalment against one unit of income), where a zero would divide by zero.
MIN_MONTHLY_INCOME = 1.0
# Which loans lose employment income is a stable draw per loan id in [0, 1): a loan is hit when its draw is
# below the scenario's unemployment share, so the same loans are hit on every build and on every engine, and a
# loan hit at a smaller share is hit at every larger one.
_DRAW_BITS = 53
SCENARIO_COLUMNS = [
    "scenario",
    "income_change",
    "unemployment_share",
    "unemployed_income_change",
    "scope_segment_name",
    "scope_loan_type",
    "severity_order",
    "is_what_if",
]
COLLATERAL_COLUMNS = ["scenario", "loan_type", "collateral_change"]
STRESSED_COLUMNS = [
    ID_COLUMN,
    "scenario",
    "severity_order",
    "is_what_if",
    "is_in_scope",
    "is_unemployed",
    "stressed_monthly_income",
    "stressed_collateral_value",
    "model_probability_of_default",
]
# Bookkeeping of a build that reuses the rows of unchanged loans (restress): what each row was computed from.
STATE_COLUMNS = ["loan_state", "stress_fingerprint"]
# The columns that carry a rescored loan's state and segment beside its features, in restress.
_RESCORED_STATE = "restress_loan_state"
_RESCORED_SEGMENT = "restress_segment_name"


def unemployment_draw(loan_ids: pd.Series) -> np.ndarray:
    """A number in [0, 1) per loan id, the same for the same id on every run and machine (pandas' fixed-key
    SipHash of the id's text, its top 53 bits: exactly representable, so never 1)."""
    hashes = pd.util.hash_array(loan_ids.astype(str).to_numpy(dtype=object))
    return (hashes >> np.uint64(64 - _DRAW_BITS)).astype("float64") / float(2**_DRAW_BITS)


def is_unemployed(loan_ids: pd.Series, unemployment_share: float) -> np.ndarray:
    """Whether each loan's borrower loses employment income at this share: none at 0, every one at 1."""
    return unemployment_draw(loan_ids) < unemployment_share


def income_multiplier(
    income_change: float, unemployed: np.ndarray, unemployed_income_change: float
) -> np.ndarray:
    """Factor on each borrower's monthly income: (1 + income_change), times (1 + unemployed_income_change)
    for a borrower who loses employment income. ValueError for a change below -100% (a negative income)."""
    for name, change in (
        ("income_change", income_change),
        ("unemployed_income_change", unemployed_income_change),
    ):
        if not change >= -1:
            raise ValueError(f"{name} must be -1 (-100%) or more, got {change}")
    return (1 + income_change) * np.where(unemployed, 1 + unemployed_income_change, 1.0)


def shocked_features(
    features: pd.DataFrame, income_multiplier: np.ndarray, collateral_multiplier: np.ndarray
) -> pd.DataFrame:
    """A copy of a loan_features frame with monthly income and collateral value multiplied, and the features
    derived from them recomputed as loan_features.sql computes them (income floored at MIN_MONTHLY_INCOME)."""
    if np.any(np.asarray(collateral_multiplier) < 0):
        raise ValueError("collateral_change must be -1 (-100%) or more")
    shocked = features.copy()
    income = np.maximum(
        features["monthly_income"].to_numpy(dtype="float64") * income_multiplier, MIN_MONTHLY_INCOME
    )
    collateral = features["collateral_value"].to_numpy(dtype="float64") * collateral_multiplier
    loan_amount = features["loan_amount"].to_numpy(dtype="float64")
    shocked["monthly_income"] = income
    shocked["collateral_value"] = collateral
    shocked["emi_to_income_ratio"] = features["monthly_emi"].to_numpy(dtype="float64") / income
    shocked["loan_to_annual_income_ratio"] = loan_amount / (12 * income)
    with np.errstate(divide="ignore", invalid="ignore"):
        shocked["loan_to_value_ratio"] = np.where(collateral == 0, np.nan, loan_amount / collateral)
    shocked["collateral_coverage_ratio"] = collateral / loan_amount
    return shocked


def stress_loans(
    features: pd.DataFrame,
    scenarios: pd.DataFrame,
    collateral: pd.DataFrame,
    segments: pd.DataFrame,
    score: Callable[[pd.DataFrame], np.ndarray],
    known_segments: set[str] | None = None,
) -> pd.DataFrame:
    """Every loan of `features` under every scenario (STRESSED_COLUMNS), scored by `score` per scenario.

    `scenarios` has SCENARIO_COLUMNS (an empty scope applies to every loan), `collateral` COLLATERAL_COLUMNS
    (a loan type without a row keeps its collateral), `segments` each loan's segment_name, `known_segments`
    every segment a scenario may name (None: those of `segments`).
    `score` takes a loan_features-like frame in loan id order and returns the model's probability per row.
    """
    if scenarios["scenario"].duplicated().any():
        raise ValueError(
            f"duplicate scenario(s): {sorted(scenarios.loc[scenarios.scenario.duplicated(), 'scenario'])}"
        )
    loans = features.merge(
        segments[[ID_COLUMN, "segment_name"]], on=ID_COLUMN, how="left", validate="one_to_one"
    )
    known = set(segments["segment_name"].dropna()) if known_segments is None else known_segments
    unknown = set(scenarios["scope_segment_name"].dropna()) - known
    if unknown:
        raise ValueError(
            f"unknown segment(s) {sorted(unknown)} in a scenario; the segments are {sorted(known)}"
        )
    # In loan id order, the order the scorer keeps (in_loan_order): each scenario's rows are scored as built.
    loans = in_loan_order(loans)
    draw = unemployment_draw(loans[ID_COLUMN])
    changes = collateral.set_index(["scenario", "loan_type"])["collateral_change"]
    rows = []
    for scenario in scenarios.itertuples(index=False):
        in_scope = np.ones(len(loans), dtype=bool)
        if pd.notna(scenario.scope_segment_name):
            in_scope &= (loans["segment_name"] == scenario.scope_segment_name).to_numpy()
        if pd.notna(scenario.scope_loan_type):
            in_scope &= (loans["loan_type"] == scenario.scope_loan_type).to_numpy()
        unemployed = in_scope & (draw < scenario.unemployment_share)
        income = np.where(
            in_scope,
            income_multiplier(scenario.income_change, unemployed, scenario.unemployed_income_change),
            1.0,
        )
        keys = pd.MultiIndex.from_arrays([np.full(len(loans), scenario.scenario), loans["loan_type"]])
        collateral_change = changes.reindex(keys).fillna(0).to_numpy(dtype="float64")
        # One scenario's shocked copy of the loans at a time: every scenario's copies held together, and
        # reordered, were part of the 1 GiB the full build's peak lost at 1M loans (docs/scale.md).
        frame = shocked_features(loans, income, np.where(in_scope, 1 + collateral_change, 1.0))
        rows.append(
            pd.DataFrame(
                {
                    ID_COLUMN: loans[ID_COLUMN].array,
                    "scenario": scenario.scenario,
                    "severity_order": pd.array([scenario.severity_order] * len(loans), dtype="Int32"),
                    "is_what_if": bool(scenario.is_what_if),
                    "is_in_scope": in_scope,
                    "is_unemployed": unemployed,
                    "stressed_monthly_income": frame["monthly_income"].to_numpy(),
                    "stressed_collateral_value": frame["collateral_value"].to_numpy(),
                    "model_probability_of_default": np.asarray(score(frame), dtype="float64"),
                }
            )
        )
    if not rows:
        return pd.DataFrame({column: [] for column in STRESSED_COLUMNS})
    # Loan by loan, scenarios in seed order within a loan: row i of scenario s goes to i x scenarios + s.
    order = np.arange(len(rows) * len(loans)).reshape(len(rows), len(loans)).T.ravel()
    result = pd.concat(rows, ignore_index=True).take(order).reset_index(drop=True)
    return result[STRESSED_COLUMNS]


def model_scorer(fitted: FittedModel, n_jobs: int = -1) -> Callable[[pd.DataFrame], np.ndarray]:
    """`score` for stress_loans: the saved model's probabilities as int_loans_scored computes them
    (ml.risk.score_with_model: a loan of its training sample by its fold's model, when the folds are
    loaded)."""

    def score(frame: pd.DataFrame) -> np.ndarray:
        scores = score_with_model(fitted, frame, n_jobs)
        if not scores[ID_COLUMN].reset_index(drop=True).equals(frame[ID_COLUMN].reset_index(drop=True)):
            raise ValueError("the scorer reordered the loans: pass them in loan id order")
        return scores["risk_score"].to_numpy(dtype="float64")

    return score


def stress_fingerprint(run_id: str, scenarios: pd.DataFrame, collateral: pd.DataFrame) -> str:
    """What every loan's stressed scores depend on besides the loan itself: the model in use and the
    scenarios. First 16 hex digits of a SHA-256 of them, in a canonical order."""
    spec = {
        "run_id": run_id,
        "scenarios": _records(scenarios[SCENARIO_COLUMNS], ["scenario"]),
        "collateral": _records(collateral[COLLATERAL_COLUMNS], ["scenario", "loan_type"]),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _records(frame: pd.DataFrame, order: list[str]) -> list[dict]:
    values = frame.sort_values(order).astype(object)
    return values.where(values.notna(), None).to_dict("records")


def restress(
    connection: duckdb.DuckDBPyConnection,
    features: duckdb.DuckDBPyRelation,
    scenarios: pd.DataFrame,
    collateral: pd.DataFrame,
    segments: duckdb.DuckDBPyRelation,
    score: Callable[[pd.DataFrame], np.ndarray],
    fingerprint: str,
    loan_states: duckdb.DuckDBPyRelation,
    previous: str | None = None,
) -> duckdb.DuckDBPyRelation:
    """stress_loans of the open loans `features`, reusing the last build's rows of every loan whose state and
    fingerprint are unchanged: only the others are read into pandas and rescored.

    The inputs are relations on the DuckDB `connection`: `features` (loan_features' columns), `segments` (each
    loan's segment_name) and `loan_states` (each loan's `loan_state`, a hash of its inputs' fingerprint, as-of
    date and build context; the loan's segment is added to it, since a what-if may be limited to a segment).
    `previous` is a query on it giving the last build's rows (STRESSED_COLUMNS + STATE_COLUMNS; None: every
    loan is scored). The result is a relation, in loan and scenario order: the reused rows never leave DuckDB,
    which joins, unions and writes them (at 1M loans, taking the last build's 1.1M rows through pandas took 14
    to 16 s of a daily build). It equals a full stress_loans of `features`: a loan's draw and score depend on
    the loan alone.
    """
    states = f"""
        select
            features.{ID_COLUMN},
            segments.segment_name,
            coalesce(loan_states.loan_state, '') || '|' || coalesce(segments.segment_name, '') as loan_state
        from ({features.sql_query()}) as features
        left join ({loan_states.sql_query()}) as loan_states
            on features.{ID_COLUMN} = loan_states.{ID_COLUMN}
        left join ({segments.sql_query()}) as segments
            on features.{ID_COLUMN} = segments.{ID_COLUMN}
    """
    # a loan counts as unchanged only with every scenario's row (a group, twice as fast as a window)
    unchanged = f"""
        with matched as materialized (
            select previous.*
            from ({previous}) as previous
            inner join ({states}) as states
                on previous.{ID_COLUMN} = states.{ID_COLUMN} and previous.loan_state = states.loan_state
            where previous.stress_fingerprint = '{fingerprint}'
        )

        select * from matched
        where {ID_COLUMN} in (
            select {ID_COLUMN} from matched
            group by {ID_COLUMN}
            having count(distinct scenario) = {len(scenarios)}
        )
    """
    only_changed = (
        ""
        if previous is None
        else f"where features.{ID_COLUMN} not in (select {ID_COLUMN} from ({unchanged}))"
    )
    rescored = read_frame(
        connection,
        connection.sql(
            f"""
            select
                features.*,
                states.loan_state as {_RESCORED_STATE},
                states.segment_name as {_RESCORED_SEGMENT}
            from ({features.sql_query()}) as features
            inner join ({states}) as states
                on features.{ID_COLUMN} = states.{ID_COLUMN}
            {only_changed}
            order by features.{ID_COLUMN}
            """
        ),
    )
    known_segments = connection.sql(f"select distinct segment_name from ({segments.sql_query()})").fetchall()
    fresh = stress_loans(
        rescored.drop(columns=[_RESCORED_STATE, _RESCORED_SEGMENT]),
        scenarios,
        collateral,
        rescored[[ID_COLUMN, _RESCORED_SEGMENT]].rename(columns={_RESCORED_SEGMENT: "segment_name"}),
        score,
        {name for (name,) in known_segments if name is not None},
    )
    rescored_states = rescored[[ID_COLUMN, _RESCORED_STATE]].rename(columns={_RESCORED_STATE: "loan_state"})
    fresh = fresh.merge(rescored_states, on=ID_COLUMN, how="left").assign(stress_fingerprint=fingerprint)
    columns = [*STRESSED_COLUMNS, *STATE_COLUMNS]
    result = connection.from_df(fresh[columns])
    if previous is not None:
        result = connection.sql(unchanged).project(", ".join(columns)).union(result)
    return result.order(f"{ID_COLUMN}, scenario")
