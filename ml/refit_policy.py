"""Fit rarely, score daily: whether a build refits the risk models or scores changed loans with the saved one.

A build refits (every loan is then scored by the new fit) when:

- it is asked to (var `refit_risk_model`), or
- no saved model is in use (the first build, a full refresh, or a saved model that is missing), or
- the saved model is older than `risk_model_max_age_days` days, or
- the population stability index of the score or of a feature, over the loans the saved model scores (the book
  as it would be after this build), is above `max_population_stability_index` while it was within it when the
  model was fitted (a gap present from the start is not closed by a refit).

Otherwise the saved model scores the loans whose inputs changed, and every other loan keeps its score. A
model named by var `risk_model_run_id` is always used as is. The decision and its reason are recorded with
every score (int_loans_scored.scoring_decision) and per run in model_runs (last_scoring_decision).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ml.drift import population_stability
from ml.features import ID_COLUMN
from ml.frames import is_in
from ml.model_store import FittedModel, load_model
from ml.risk import score_with_model

FITTED = "fitted"
SAVED_MODEL = "scored with saved model"

# Per run, the last build that scored loans with it: when, how many loans, why, and whether the run drives
# strategy. DuckDB SQL over the score rows (int_loans_scored) named `scored`: on the table in model_runs,
# on the ML job's frame on Spark (ml.spark_job).
LAST_SCORING_SQL = """
select
    run_id,
    bool_or(is_selected) as is_selected,
    scored_at as last_scored_at,
    count(*) as n_loans_last_scored,
    any_value(scoring_decision) as last_scoring_decision
from scored
group by run_id, scored_at
qualify row_number() over (partition by run_id order by scored_at desc) = 1
"""


@dataclass(frozen=True)
class RefitPolicy:
    """The vars of the policy (built from the vars by ml.settings.RiskSettings)."""

    refit_risk_model: bool = False
    risk_model_max_age_days: float = 30.0
    max_population_stability_index: float = 0.2


def refit_reason(policy: RefitPolicy, fitted_at: pd.Timestamp | None, now: pd.Timestamp) -> str | None:
    """Why the saved model (fitted at `fitted_at`, None when there is none) must be refitted, judged on what
    is known before scoring; None when it may score. Drift is judged after scoring (drift_refit_reason)."""
    if policy.refit_risk_model:
        return "refit asked (var refit_risk_model)"
    if fitted_at is None:
        return "no saved model in use (first build, full refresh, or the model file is missing)"
    age_days = (now - fitted_at) / pd.Timedelta(days=1)
    if age_days > policy.risk_model_max_age_days:
        limit = f"{policy.risk_model_max_age_days:g} (var risk_model_max_age_days)"
        return f"saved model {age_days:.1f} days old, above {limit}"
    return None


def drift_refit_reason(
    policy: RefitPolicy, stability: pd.DataFrame, at_fit: dict | None = None
) -> str | None:
    """Why the saved model must be refitted given the population stability of the book it scores
    (ml.drift.PSI_COLUMNS rows); None when every index is within the threshold.

    A variable whose index was already above the threshold when the model was fitted (`at_fit`: its indexes
    then, FittedModel.fit_stability) does not count: that gap, between the resolved loans it learns from and
    the open loans it scores, is structural and a refit would not close it; only a shift since the fit does.
    """
    indexes = stability.dropna(subset=["population_stability_index"])
    at_fit = pd.to_numeric(indexes["variable_name"].map(at_fit or {}), errors="coerce")
    indexes = indexes[~(at_fit > policy.max_population_stability_index)]
    if indexes.empty:
        return None
    worst = indexes.loc[indexes["population_stability_index"].idxmax()]
    if worst["population_stability_index"] > policy.max_population_stability_index:
        return (
            f"population stability of {worst['variable_name']} {worst['population_stability_index']:.3f}, "
            f"above {policy.max_population_stability_index:g} (var max_population_stability_index)"
        )
    return None


def kept_reason(fitted_at: pd.Timestamp, now: pd.Timestamp, stability: pd.DataFrame) -> str:
    """Why the saved model was kept: its age and the largest population stability index."""
    age_days = (now - fitted_at) / pd.Timedelta(days=1)
    worst = stability["population_stability_index"].max() if len(stability) else float("nan")
    return f"saved model {age_days:.1f} days old, largest population stability index {worst:.3f}"


def scores_for_build(
    features: pd.DataFrame,
    fit: Callable[[pd.DataFrame], pd.DataFrame],
    policy: RefitPolicy,
    risk_model_dir: str | Path,
    now: pd.Timestamp,
    risk_model_run_id: str = "",
    changed_ids: pd.Index | None = None,
    previous: pd.DataFrame | None = None,
    previous_run_ids: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """The score rows (ml.risk.SCORE_COLUMNS + scored_at, scoring_decision) this build writes.

    `features` holds every loan; `changed_ids` the loans whose inputs changed (None: a full build), `previous`
    the selected score rows already in the table and `previous_run_ids` every run in it. `fit(features)` fits
    and scores every loan. Rows are returned for the changed loans only when the saved model in use keeps
    scoring and the table holds no other run (or no loan changed); otherwise for every loan.
    """
    if risk_model_run_id:
        fitted = load_model(risk_model_dir, risk_model_run_id, with_folds=True)
        return _saved_scores(fitted, features, changed_ids, previous_run_ids, now, "var risk_model_run_id")
    fitted = _model_in_use(previous, risk_model_dir) if changed_ids is not None else None
    reason = refit_reason(policy, fitted.summary.get("fitted_at") if fitted else None, now)
    if reason is None:
        book = _book_scores(fitted, features, changed_ids, previous)
        stability = population_stability(fitted, features, book)
        reason = drift_refit_reason(policy, stability, fitted.fit_stability)
        if reason is None:
            return _saved_scores(
                fitted,
                features,
                changed_ids,
                previous_run_ids,
                now,
                kept_reason(fitted.summary["fitted_at"], now, stability),
            )
    return fit(features).assign(scored_at=now, scoring_decision=f"{FITTED}: {reason}")


def _model_in_use(previous: pd.DataFrame | None, risk_model_dir: str | Path) -> FittedModel | None:
    """The saved model whose scores drive strategy in the table: the one run there, if its file exists."""
    run_ids = set() if previous is None else set(previous["run_id"].unique())
    if len(run_ids) != 1:
        return None
    try:
        return load_model(risk_model_dir, run_ids.pop(), with_folds=True)
    except FileNotFoundError:
        return None


def _book_scores(
    fitted: FittedModel, features: pd.DataFrame, changed_ids: pd.Index, previous: pd.DataFrame
) -> pd.DataFrame:
    """The selected scores of every loan as they would be after scoring the changed loans with `fitted`."""
    ids = previous[ID_COLUMN]
    kept = previous[~is_in(ids, changed_ids) & is_in(ids, features[ID_COLUMN])]
    rescored = score_with_model(fitted, features[is_in(features[ID_COLUMN], changed_ids)])
    return pd.concat([kept, rescored], ignore_index=True)


def _saved_scores(
    fitted: FittedModel,
    features: pd.DataFrame,
    changed_ids: pd.Index | None,
    previous_run_ids: frozenset[str],
    now: pd.Timestamp,
    reason: str,
) -> pd.DataFrame:
    # The other runs' rows (after a fit that compared algorithms) go once a loan changes: the model in use
    # then rescores every loan, so that the table holds one run; with no change, nothing is rewritten.
    only_changed = changed_ids is not None and (previous_run_ids == {fitted.run_id} or len(changed_ids) == 0)
    scored = features[is_in(features[ID_COLUMN], changed_ids)] if only_changed else features
    return score_with_model(fitted, scored).assign(scored_at=now, scoring_decision=f"{SAVED_MODEL}: {reason}")
