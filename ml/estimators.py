"""The risk model's settings (RiskParameters), its three estimators and the Platt calibrator of their scores.

Scores are calibrated so that 0.75 means three in four: a Platt calibrator (a logistic regression on the
log-odds of the raw score) maps raw scores to probabilities.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

PREDICTION_BLOCK_ROWS = 20_000
# Raw scores are clipped this far from 0 and 1 before taking log-odds.
LOGIT_EPSILON = 1e-6


@dataclass(frozen=True)
class RiskParameters:
    """Settings of a risk model run; all of them enter the run id.

    The models learn from a stratified sample of at most `risk_training_rows` labelled observations (rows of
    loan_observations; None: all of them). Random forest: leaves of at least `min_samples_leaf` loans give
    smooth probabilities rather than the 0/1 votes of fully grown trees; each tree learns from a bootstrap of
    `max_samples` loans of the sample, so the trees are cheap and differ. Measured on 1M synthetic loans
    (tools.synthetic --seed 7; ROC AUC on 200,000 held-out resolved loans): these defaults (100 trees, leaves
    of 20, 15,000 loans per tree, 200,000-loan sample) reach 0.8386; 100 trees with the former leaves of 10
    and 100,000 loans per tree, fitted on all 600,000 other resolved loans, 0.8383 at several times the cost;
    the defaults on a 100,000-loan sample 0.8381, with 70 trees 0.8383. Gradient boosting and the logistic
    regression use scikit-learn's defaults (the regression on standardised features, missing values replaced
    by the median plus a flag, up to 1,000 iterations). Permutation importance shuffles each feature
    `importance_repeats` times on at most `importance_rows` held-out loans per fold."""

    cv_folds: int = 5
    random_state: int = 42
    risk_training_rows: int | None = 200_000
    n_estimators: int = 100
    min_samples_leaf: int = 20
    max_features: str | float = "sqrt"
    max_samples: int | None = 15_000
    importance_repeats: int = 3
    importance_rows: int = 2_000

    def __post_init__(self) -> None:
        if self.cv_folds < 2:
            raise ValueError(f"cv_folds must be at least 2, got {self.cv_folds}")
        if self.n_estimators < 1 or self.min_samples_leaf < 1:
            raise ValueError("n_estimators and min_samples_leaf must be at least 1")
        if self.risk_training_rows is not None and self.risk_training_rows < self.cv_folds:
            raise ValueError(
                f"risk_training_rows must be None or at least cv_folds, got {self.risk_training_rows}"
            )
        if self.max_samples is not None and self.max_samples < 1:
            raise ValueError(f"max_samples must be at least 1 or None, got {self.max_samples}")
        if self.importance_repeats < 1 or self.importance_rows < 2:
            raise ValueError("importance_repeats must be at least 1 and importance_rows at least 2")


def one_blas_thread() -> None:
    """Limits BLAS (the OpenBLAS of numpy and of SciPy) to one thread for the rest of the process.

    The limit is process-wide, and scikit-learn lowers it for a while around K-Means and the silhouette. A
    logistic regression fitting meanwhile in another dbt thread (the Platt calibration of every algorithm,
    the logistic risk model) then adds up in another order, and its last bits, so every score, differed
    between two builds of the same inputs. At one thread from the start nothing changes it. The fits that
    use BLAS are small (two parameters, or tens of columns); forests, boosting and K-Means run on OpenMP,
    whose limit is per thread.
    """
    threadpool_limits(1, user_api="blas")


class PlattCalibrator:
    """Maps raw scores to probabilities with a logistic regression on their log-odds (Platt scaling).

    With a single label class it returns that class's rate: there is nothing to calibrate against.
    """

    def fit(self, raw: np.ndarray, labels: np.ndarray) -> "PlattCalibrator":
        self.constant = float(labels.mean()) if len(np.unique(labels)) < 2 else None
        if self.constant is None:
            self.regression = LogisticRegression(C=1e6).fit(_logit(raw)[:, None], labels)
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        if self.constant is not None:
            return np.full(len(raw), self.constant)
        return self.regression.predict_proba(_logit(raw)[:, None])[:, 1]


def fit_estimator(algorithm: str, x: np.ndarray, y: np.ndarray, params: RiskParameters, n_jobs: int):
    """The estimator of `algorithm` (one of ml.risk.ALGORITHMS) fitted on x, y; a dummy for a single class."""
    if len(np.unique(y)) < 2:
        # A single class: every estimator would predict it; the dummy says so without failing.
        return DummyClassifier(strategy="prior").fit(x, y)
    if algorithm == "random_forest":
        model = RandomForestClassifier(
            n_estimators=params.n_estimators,
            min_samples_leaf=params.min_samples_leaf,
            max_features=params.max_features,
            max_samples=None if params.max_samples is None else min(params.max_samples, len(y)),
            random_state=params.random_state,
            n_jobs=n_jobs,
        )
    elif algorithm == "hist_gradient_boosting":
        # One OpenMP thread (set below): with dbt running models side by side, OpenMP's spinning threads
        # made small fits twenty times slower on two cores.
        model = HistGradientBoostingClassifier(random_state=params.random_state)
    else:
        # Ledger features can be missing; the regression sees the median and a missing-value flag instead.
        model = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True),
            StandardScaler(),
            LogisticRegression(max_iter=1_000),
        )
    with threadpool_limits(1, user_api="openmp"):
        return model.fit(x, y)


def positive_probability(model, x: np.ndarray, n_jobs: int) -> np.ndarray:
    """Raw (uncalibrated) probability of a positive label for each row of x, the same for any n_jobs."""
    # A training set with a single class gives a single probability column.
    if 1.0 not in model.classes_:
        return np.zeros(len(x))
    if len(x) == 0:
        return np.zeros(0)
    # A parallel forest adds up its trees in whichever order its threads finish, which changes the last bit of
    # some scores from run to run; threads over blocks of loans, each adding the trees in order, do not.
    if isinstance(model, RandomForestClassifier):
        model.set_params(n_jobs=1)
    blocks = np.array_split(x, -(-len(x) // PREDICTION_BLOCK_ROWS))
    with threadpool_limits(1, user_api="openmp"):
        probabilities = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(model.predict_proba)(b) for b in blocks
        )
    return np.concatenate(probabilities)[:, list(model.classes_).index(1.0)]


def _logit(raw: np.ndarray) -> np.ndarray:
    clipped = np.clip(raw, LOGIT_EPSILON, 1 - LOGIT_EPSILON)
    return np.log(clipped / (1 - clipped))
