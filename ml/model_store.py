"""The fitted risk model (FittedModel) and its store: one file `<risk_model_dir>/<run_id>.joblib` per fit.

A later build loads a saved model by its run id to score new loans without refitting, or to explain and
monitor the loans it scored.
"""

import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

from ml.drift import Binning
from ml.estimators import PlattCalibrator, RiskParameters, positive_probability
from ml.features import with_extra_features
from ml.frames import numeric_matrix


@dataclass
class FittedModel:
    """A fitted risk model with what later builds need to score, explain and monitor new loans with it."""

    run_id: str
    algorithm: str
    target: str
    parameters: RiskParameters
    feature_names: list[str]
    estimator: object
    calibrator: PlattCalibrator
    # Median of each feature over the training loans: the "typical loan" reason codes compare with.
    typical_values: np.ndarray
    # Binned distribution of each feature and of the calibrated out-of-fold score over the training loans,
    # which population stability compares the scored loans with.
    feature_reference: dict[str, Binning]
    score_reference: Binning
    summary: dict = field(default_factory=dict)
    importance: pd.DataFrame | None = None
    # Per fold, the estimator fitted without it and the calibrator of its out-of-fold scores, and each
    # training loan's fold (loan_id -> fold): what scored, and so what explains, each out-of-fold loan.
    fold_models: tuple = ()
    training_folds: pd.Series | None = None
    # Population stability index of each variable over the loans it scored when it was fitted
    # (ml.drift.population_stability): the refit policy (ml.refit_policy) reacts only to what crosses its
    # threshold after the fit. None for models saved before it was kept.
    fit_stability: dict | None = None

    def predict(self, x: np.ndarray, n_jobs: int = -1) -> np.ndarray:
        """Calibrated probability of a positive label for each row of the feature matrix (may have none)."""
        if len(x) == 0:
            return np.empty(0)
        return self.calibrator.predict(positive_probability(self.estimator, x, n_jobs))

    def feature_matrix(self, features: pd.DataFrame) -> np.ndarray:
        """The model's features from a loan_features-like frame; ValueError naming any that is missing."""
        features = with_extra_features(features, self.feature_names)
        missing = [column for column in self.feature_names if column not in features]
        if missing:
            raise ValueError(f"model {self.run_id} needs column(s) {', '.join(missing)}")
        return numeric_matrix(features, self.feature_names)


# The fold models only explain the loans scored out of fold: they are kept beside the model, in
# `<run_id>.folds.joblib`, so that scoring and monitoring do not load five more estimators.
FOLDS_SUFFIX = ".folds.joblib"


def save_model(fitted: FittedModel, risk_model_dir: str | Path) -> Path:
    """Write the model to `<model_dir>/<run_id>.joblib` and its fold models beside it (atomically: a reader
    never sees half a file)."""
    directory = Path(risk_model_dir)
    directory.mkdir(parents=True, exist_ok=True)
    if fitted.fold_models:
        _dump(
            directory,
            (fitted.fold_models, fitted.training_folds),
            directory / f"{fitted.run_id}{FOLDS_SUFFIX}",
        )
    path = directory / f"{fitted.run_id}.joblib"
    _dump(directory, replace(fitted, fold_models=(), training_folds=None), path)
    return path


def _dump(directory: Path, value, path: Path) -> None:
    with tempfile.NamedTemporaryFile(dir=directory, suffix=".tmp", delete=False) as handle:
        joblib.dump(value, handle)
    os.replace(handle.name, path)


def load_model(risk_model_dir: str | Path, run_id: str, with_folds: bool = False) -> FittedModel:
    """The model saved with this run id (with its fold models when asked and saved); FileNotFoundError naming
    the file when there is none."""
    path = Path(risk_model_dir) / f"{run_id}.joblib"
    if not path.exists():
        raise FileNotFoundError(f"no saved risk model {path}; fit one first (var risk_model_run_id empty)")
    fitted = joblib.load(path)
    folds = Path(risk_model_dir) / f"{run_id}{FOLDS_SUFFIX}"
    if with_folds and folds.exists():
        fitted.fold_models, fitted.training_folds = joblib.load(folds)
    return fitted


def saved_models(scores: pd.DataFrame, risk_model_dir: str | Path) -> list[FittedModel]:
    """The saved model of every run in `scores`, in run id order."""
    return [load_model(risk_model_dir, run_id) for run_id in sorted(scores["run_id"].unique())]


def selected_model(scores: pd.DataFrame, risk_model_dir: str | Path, with_folds: bool = False) -> FittedModel:
    """The saved model whose scores drive strategy (the is_selected rows)."""
    run_ids = scores.loc[scores["is_selected"].astype(bool), "run_id"].unique()
    if len(run_ids) != 1:
        raise ValueError(f"expected the scores of one selected run, got {sorted(run_ids)}")
    return load_model(risk_model_dir, run_ids[0], with_folds)
