"""The first import of every dbt Python model (tests/ml/test_dbt_plugin.py checks that each has it first, and
ruff's import order keeps it there): the ML stack, imported once and whole, and BLAS on one thread.

dbt runs Python models in threads of its process. Two threads importing scikit-learn's modules at the same
moment can hit a circular-import error. A thread that imports this module while another is importing it waits
until the other is done (Python's lock on a module being imported), so one thread imports the whole stack and
the others find it ready.

BLAS then runs on one thread for the rest of the process (ml.estimators.one_blas_thread), before any model of
the build fits: the Python models' fits give the same bits in every build.

A dbt run without a Python model (dbt test, a SQL-only selection, a build stopped by validate_vars) never
imports this module, and so never pays for scikit-learn.
"""

from ml import (  # noqa: F401 (imported for their import, not their names)
    drift,
    explain,
    features,
    frames,
    model_store,
    refit_policy,
    risk,
    run_metrics,
    segmentation,
    settings,
    stress,
)
from ml.estimators import one_blas_thread

one_blas_thread()
