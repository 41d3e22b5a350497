"""A wrong var stops the build with a message naming it, before anything reaches SQL or the ML step; the vars
checked before the build (validate_vars) are all named in one message, so one build checks several."""

import pytest

from tests.dbt_runner import run_dbt_build

# Each test builds warehouses of its own: left out of `make check`.
pytestmark = pytest.mark.slow

CASES = [
    (
        {
            "segment_count": "0",
            "risk_training_rows": "10",
            "risk_target": "everything",
            "risk_algorithm": "xgboost",
            "ledger_format": "xlsx",
            "risk_model_run_id": "../../etc",
            "collection_policy": "smart",
            "experiment_id": "x'; drop table y",
        },
        "risk_bands",
        [
            "segment_count must be a whole number from 2 to 50 or 'auto'",
            "risk_training_rows must be a whole number from 50 to",
            "risk_target must be one of outcome, segment",
            "risk_algorithm must be one of random_forest",
            "ledger_format must be one of csv, parquet",
            "risk_model_run_id must be a run_id",
            "collection_policy must be one of bands, optimised",
            "experiment_id must be letters, digits",
        ],
    ),
    (
        {"experiment_id": "e1", "experiment_challenger_policy": "optimised"},
        "risk_bands",
        ["experiment_challenger_policy must differ from collection_policy"],
    ),
    (
        {"experiment_challenger_share": "1.5"},
        "collection_experiment_assignments",
        ["'experiment_challenger_share' must be a number"],
    ),
    ({"high_risk_threshold": "1; drop table x"}, "risk_scores", ["'high_risk_threshold' must be a number"]),
    ({"as_of_date": "2026-06-30' or 1=1"}, "loan_repayment", ["'as_of_date' must be a date as YYYY-MM-DD"]),
]


@pytest.mark.parametrize(("dbt_vars", "node", "messages"), CASES, ids=[next(iter(case[0])) for case in CASES])
def test_a_wrong_var_stops_the_build_naming_it(dbt_vars, node, messages, tmp_path):
    result = run_dbt_build(tmp_path, dbt_vars, [node])

    assert result.returncode != 0
    for message in messages:
        assert message in result.stdout
    assert "Traceback" not in result.stdout
