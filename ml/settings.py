"""The ML step's settings, built from the dbt vars under their own names, for both engines.

The Python models pass the vars their YAML config maps (as dbt renders them: text); ml.spark_job passes
the same configs, read from dbt's manifest. Each field is named as its var and as the parameter of the ml
function that uses it, so a setting is parsed here once and passed on unrenamed.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from ml.refit_policy import RefitPolicy


def parse_segment_count(value) -> int | None:
    """The var segment_count as a number of segments; None (choose k) when empty or "auto"."""
    text = str(value).strip().lower()
    if text in ("", "auto", "none"):
        return None
    if not text.isdigit():
        raise ValueError(f'segment_count must be a whole number or "auto", got {value!r}')
    return int(text)


def parse_training_rows(value) -> int | None:
    """The var risk_training_rows as a row count; empty means every labelled loan (None)."""
    return int(value) if str(value).strip() not in ("", "None") else None


def _flag(value) -> bool:
    return str(value).lower() == "true"


@dataclass(frozen=True)
class SegmentSettings:
    """The arguments of ml.segmentation.segment_borrowers and segmentation_quality."""

    segmentation_algorithm: str
    segment_count: int | None
    random_state: int

    @classmethod
    def from_vars(cls, vars: Mapping) -> "SegmentSettings":
        return cls(
            segmentation_algorithm=str(vars["segmentation_algorithm"]),
            segment_count=parse_segment_count(vars["segment_count"]),
            random_state=int(vars["random_state"]),
        )

    def arguments(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RiskSettings:
    """How a build scores: the arguments of ml.risk.score_loans (fit_arguments), the saved model to score
    with (risk_model_run_id) and when to refit (refit_policy, for ml.refit_policy.scores_for_build)."""

    risk_target: str
    risk_algorithm: str
    compare_risk_algorithms: bool
    risk_model_dir: str
    high_risk_threshold: float
    cv_folds: int
    risk_training_rows: int | None
    random_state: int
    risk_model_run_id: str
    refit_policy: RefitPolicy

    @classmethod
    def from_vars(cls, vars: Mapping) -> "RiskSettings":
        return cls(
            risk_target=str(vars["risk_target"]),
            risk_algorithm=str(vars["risk_algorithm"]),
            compare_risk_algorithms=_flag(vars["compare_risk_algorithms"]),
            risk_model_dir=str(vars["risk_model_dir"]),
            high_risk_threshold=float(vars["high_risk_threshold"]),
            cv_folds=int(vars["cv_folds"]),
            risk_training_rows=parse_training_rows(vars["risk_training_rows"]),
            random_state=int(vars["random_state"]),
            risk_model_run_id=str(vars["risk_model_run_id"]),
            refit_policy=RefitPolicy(
                refit_risk_model=_flag(vars["refit_risk_model"]),
                risk_model_max_age_days=float(vars["risk_model_max_age_days"]),
                max_population_stability_index=float(vars["max_population_stability_index"]),
            ),
        )

    def fit_arguments(self) -> dict:
        """Keyword arguments of ml.risk.score_loans (besides the loans, segments and score_others)."""
        arguments = asdict(self)
        del arguments["risk_model_run_id"], arguments["refit_policy"]
        return arguments


@dataclass(frozen=True)
class ExplainSettings:
    """Which loans get reason codes (ml.explain.explain_scores): the open loans someone acts on, and the
    resolved ones when explain_resolved_loans asks for them; and where the models that explain them are."""

    risk_model_dir: str
    explain_resolved_loans: bool

    @classmethod
    def from_vars(cls, vars: Mapping) -> "ExplainSettings":
        return cls(
            risk_model_dir=str(vars["risk_model_dir"]),
            explain_resolved_loans=_flag(vars["explain_resolved_loans"]),
        )


@dataclass(frozen=True)
class ModelRunsSettings:
    """The arguments of ml.run_metrics.model_runs_rows besides the scores."""

    risk_model_dir: str
    min_predictive_auc: float

    @classmethod
    def from_vars(cls, vars: Mapping) -> "ModelRunsSettings":
        return cls(
            risk_model_dir=str(vars["risk_model_dir"]),
            min_predictive_auc=float(vars["min_predictive_auc"]),
        )

    def arguments(self) -> dict:
        return asdict(self)
