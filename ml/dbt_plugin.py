"""dbt-duckdb plugin: imports the ML stack once, runs BLAS on one thread, and tells SQL which values the ML
vars accept.

With several threads, two Python models importing scikit-learn at the same moment can hit a
circular-import error; importing it here, when dbt opens the connection, avoids the race.

The accepted values of the vars that choose an algorithm or a target are defined once (ml.var_choices), next
to the code that dispatches on them. validate_vars checks the vars before any model runs,
when a Python model could only fail with a traceback; it reads the values from the table macro
`ml_var_choices()` that this plugin defines on every cursor.
"""

from dbt.adapters.duckdb.plugins import BasePlugin

from ml.estimators import one_blas_thread
from ml.var_choices import VAR_CHOICES


def choices_macro_sql() -> str:
    """The SQL that defines `ml_var_choices()`: one row (var_name, accepted_value) per accepted value."""
    rows = ", ".join(f"('{name}', '{value}')" for name, values in VAR_CHOICES.items() for value in values)
    return (
        "create or replace temp macro ml_var_choices() as table "
        f"select * from (values {rows}) as choices(var_name, accepted_value)"
    )


class Plugin(BasePlugin):
    """Limits BLAS to one thread when dbt loads it (ml.estimators.one_blas_thread: the Python models' fits
    then give the same bits in every build), and defines ml_var_choices() on each cursor (temp macros do not
    outlive their cursor)."""

    def initialize(self, plugin_config):
        one_blas_thread()

    def configure_cursor(self, cursor):
        cursor.execute(choices_macro_sql())
