"""The plugin hands SQL exactly the values the ML code dispatches on, without importing the ML stack; every
Python model imports that stack first, through ml.runtime, which runs BLAS on one thread."""

import ast
import subprocess
import sys

import duckdb
import numpy as np
from threadpoolctl import threadpool_limits

from ml import risk, segmentation
from ml.dbt_plugin import choices_macro_sql
from ml.estimators import PlattCalibrator, one_blas_thread
from tests.dbt_runner import REPO

PYTHON_MODELS = sorted((REPO / "models").rglob("*.py"))


def test_ml_var_choices_lists_every_accepted_value_of_the_ml_code():
    connection = duckdb.connect()
    connection.execute(choices_macro_sql())

    rows = connection.execute("select var_name, accepted_value from ml_var_choices()").fetchall()

    assert rows == [
        *(("risk_target", value) for value in risk.TARGETS),
        *(("risk_algorithm", value) for value in risk.ALGORITHMS),
        *(("segmentation_algorithm", value) for value in segmentation.ALGORITHMS),
    ]


def fresh_python(code: str) -> str:
    """What a fresh Python process prints running code: imports as a dbt process starts without them."""
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_plugin_leaves_the_ml_stack_to_the_python_models():
    """dbt loads the plugin into every run; a run without a Python model must not import scikit-learn."""
    code = "import sys\nfrom ml.dbt_plugin import Plugin\nPlugin('ml', {})\nprint(' '.join(sys.modules))"
    assert "sklearn" not in fresh_python(code).split()


def test_every_python_model_imports_the_ml_runtime_before_anything_else():
    """Its first import statement: two models importing scikit-learn in two dbt threads at once can fail."""
    assert len(PYTHON_MODELS) >= 8
    for path in PYTHON_MODELS:
        first = next(
            node for node in ast.parse(path.read_text()).body if isinstance(node, ast.Import | ast.ImportFrom)
        )
        assert isinstance(first, ast.Import) and [alias.name for alias in first.names] == ["ml.runtime"], path


def test_the_ml_runtime_runs_blas_on_one_thread():
    code = (
        "from threadpoolctl import threadpool_info, threadpool_limits\n"
        "import numpy\n"
        "threadpool_limits(2, user_api='blas')\n"
        "import ml.runtime\n"
        "print({pool['num_threads'] for pool in threadpool_info() if pool['user_api'] == 'blas'})"
    )
    assert fresh_python(code) == "{1}"


def test_on_one_blas_thread_a_calibration_fits_the_same_in_every_build():
    """K-Means lowers the process-wide BLAS limit for a while; a Platt calibration fitting meanwhile in
    another dbt thread differed in its last bits (so did every score, from one build to the next). Under the
    runtime's limit it fits to the same bits whatever K-Means does beside it."""
    rng = np.random.default_rng(0)
    raw = np.round(rng.beta(0.7, 1.2, 20_000), 2)
    labels = (rng.uniform(size=len(raw)) < raw).astype(float)

    def intercept() -> bytes:
        return PlattCalibrator().fit(raw, labels).regression.intercept_.tobytes()

    with threadpool_limits(2, user_api="blas"):
        one_blas_thread()
        as_built = intercept()
        with threadpool_limits(1, user_api="blas"):  # as K-Means sets it
            beside_k_means = intercept()
    assert as_built == beside_k_means
