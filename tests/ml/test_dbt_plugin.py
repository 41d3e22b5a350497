"""The plugin hands SQL exactly the values the ML code dispatches on."""

import duckdb

from ml import risk, segmentation
from ml.dbt_plugin import choices_macro_sql


def test_ml_var_choices_lists_every_accepted_value_of_the_ml_code():
    connection = duckdb.connect()
    connection.execute(choices_macro_sql())

    rows = connection.execute("select var_name, accepted_value from ml_var_choices()").fetchall()

    assert rows == [
        *(("risk_target", value) for value in risk.TARGETS),
        *(("risk_algorithm", value) for value in risk.ALGORITHMS),
        *(("segmentation_algorithm", value) for value in segmentation.ALGORITHMS),
    ]
