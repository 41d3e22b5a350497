"""dbt-duckdb plugin: tells SQL which values the ML vars accept.

The accepted values of the vars that choose an algorithm or a target are defined once (ml.var_choices).
validate_vars checks the vars before any model runs, when a Python model could only fail with a traceback; it
reads the values from the table macro `ml_var_choices()` that this plugin defines on every cursor.

The plugin is loaded into every dbt run, so it imports nothing of the ML stack: the Python models import that
themselves (ml.runtime).
"""

from dbt.adapters.duckdb.plugins import BasePlugin

from ml.var_choices import VAR_CHOICES


def choices_macro_sql() -> str:
    """The SQL that defines `ml_var_choices()`: one row (var_name, accepted_value) per accepted value."""
    rows = ", ".join(f"('{name}', '{value}')" for name, values in VAR_CHOICES.items() for value in values)
    return (
        "create or replace temp macro ml_var_choices() as table "
        f"select * from (values {rows}) as choices(var_name, accepted_value)"
    )


class Plugin(BasePlugin):
    """Defines ml_var_choices() on each cursor (temp macros do not outlive their cursor)."""

    def configure_cursor(self, cursor):
        cursor.execute(choices_macro_sql())
