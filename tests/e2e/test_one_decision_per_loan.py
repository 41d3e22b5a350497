"""One decision per loan: every surface shows collection_plan's action, within eligibility and capacity, and
an experiment's two arms together stay inside it, measured from each loan's assignment.

The surfaces' own data tests (data-tests/collections, data-tests/reports) run in every build; these tests
check the sample's answer against the seed directly, and that those data tests fail on the bugs they name.
"""

import shutil

import duckdb
import pandas as pd
import pytest

from tests.dbt_runner import REPO, query, run_dbt, run_dbt_build

# The team of monitoring is called "None": only empty cells are missing.
ACTIONS = pd.read_csv(
    REPO / "seeds" / "collection_actions.csv", keep_default_na=False, na_values=[""]
).set_index("action")
EXPERIMENT_NODES = [
    "int_loans_armed",
    "collection_plan",
    "collection_experiment_assignments",
    "experiment_results",
]


def _copy(warehouse, tmp_path):
    shutil.copy(warehouse, tmp_path / "warehouse.duckdb")
    return tmp_path / "warehouse.duckdb"


def _dbt_test(tmp_path, test_name):
    return run_dbt(tmp_path, ["test", "--select", test_name])


def test_every_open_loan_is_recommended_its_plan_action_eligibly_and_within_capacity(sample_warehouse):
    strategy = query(
        sample_warehouse,
        """select s.loan_id, s.recommended_action, s.recommended_team, s.days_past_due,
                  s.outstanding_loan_amount, p.action as plan_action
           from recovery_strategy as s left join collection_plan as p using (loan_id) where s.is_open""",
    )
    assert strategy["loan_id"].is_unique
    assert (strategy["recommended_action"] == strategy["plan_action"]).all()
    # Eligibility straight from the seed's rule, not from the warehouse's is_eligible.
    rule = ACTIONS.loc[strategy["recommended_action"]].reset_index(drop=True)
    eligible = (
        (strategy["days_past_due"] >= rule["min_days_past_due"])
        & (rule["max_days_past_due"].isna() | (strategy["days_past_due"] <= rule["max_days_past_due"]))
        & (strategy["outstanding_loan_amount"] >= rule["min_exposure"])
    )
    assert eligible.all(), strategy[~eligible.to_numpy()].head()
    used = strategy["recommended_action"].value_counts()
    capacity = ACTIONS["capacity_per_period"]
    assert all(pd.isna(capacity[action]) or loans <= capacity[action] for action, loans in used.items()), used
    assert (
        strategy["recommended_team"] == ACTIONS.loc[strategy["recommended_action"], "team"].to_numpy()
    ).all()


def test_the_work_queue_shows_the_plan_row_for_row(sample_warehouse):
    queue = query(
        sample_warehouse,
        """select q.loan_id, q.recommended_action, q.team, p.action, p.team as plan_team
           from reports.rpt_work_queue as q left join collection_plan as p using (loan_id)""",
    )
    assert len(queue) > 0
    assert (queue["recommended_action"] == queue["action"]).all()
    assert (queue["team"] == queue["plan_team"]).all()


def test_no_plan_assigns_an_action_worth_less_than_doing_nothing(sample_warehouse):
    plan = query(
        sample_warehouse,
        """select p.loan_id, v.action, v.value_over_no_action
           from collection_plan as p
           inner join collection_action_values as v
               on p.loan_id = v.loan_id and v.action in (p.action, p.optimised_action, p.band_action)
           where v.action <> 'monitor'""",
    )
    assert (plan["value_over_no_action"] > 0).all(), plan[plan["value_over_no_action"] <= 0].head()


@pytest.mark.slow
def test_an_open_loan_dropped_between_the_strategy_and_the_plan_is_caught(sample_warehouse, tmp_path):
    warehouse = _copy(sample_warehouse, tmp_path)
    test_name = "assert_strategy_recommends_the_plan_eligibly"
    assert _dbt_test(tmp_path, test_name).returncode == 0
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "delete from collection_plan where loan_id = (select min(loan_id) from collection_plan)"
        )
    result = _dbt_test(tmp_path, test_name)
    assert result.returncode != 0
    assert "FAIL 1" in result.stdout


@pytest.mark.slow
def test_both_arms_together_stay_within_capacity_and_results_start_at_assignment(sample_warehouse, tmp_path):
    """Four experiments, each assigned and then measured; and the last one's challenger share cannot change
    once it has started."""
    warehouse = _copy(sample_warehouse, tmp_path)
    capacity = ACTIONS["capacity_per_period"].dropna()
    for experiment_id in ("e1", "e2", "e3", "e4"):
        # Assigned at the end of March; the start date a year earlier must not pull in earlier payments.
        dbt_vars = {
            "experiment_id": experiment_id,
            "experiment_start_date": "2025-03-31",
            "as_of_date": "2026-03-31",
            "experiment_challenger_share": 0.5,
        }
        result = run_dbt_build(tmp_path, dbt_vars, EXPERIMENT_NODES)
        assert result.returncode == 0, result.stdout[-3000:]
        assigned = query(
            warehouse,
            f"select * from collection_experiment_assignments where experiment_id = '{experiment_id}'",
        )
        assert set(assigned["arm"]) == {"champion", "challenger"}
        used = assigned.groupby("arm_action").size()
        over = {
            action: loans for action, loans in used.items() if action in capacity and loans > capacity[action]
        }
        assert not over, (experiment_id, over)
        # The scoreboard at the default as-of date counts only what each loan paid after its assignment.
        result = run_dbt_build(tmp_path, {**dbt_vars, "as_of_date": "2026-06-30"}, EXPERIMENT_NODES)
        assert result.returncode == 0, result.stdout[-3000:]
        results = query(
            warehouse, f"select * from experiment_results where experiment_id = '{experiment_id}'"
        ).set_index("arm")
        paid = query(
            warehouse,
            f"""select a.arm, sum(p.paid_amount) as paid
                from collection_experiment_assignments as a
                inner join intermediate.int_ledger_payments_validated as p using (loan_id)
                where a.experiment_id = '{experiment_id}' and p.rejection_reason is null
                    and cast(p.paid_at as date) between date '2026-04-01' and date '2026-06-30'
                group by a.arm""",
        ).set_index("arm")["paid"]
        for arm in ("champion", "challenger"):
            assert pd.Timestamp(results.loc[arm, "measured_from"]) == pd.Timestamp("2026-04-01")
            assert results.loc[arm, "amount_recovered"] == pytest.approx(paid[arm])
    # A running experiment's share is fixed: changing it stops the build and says what to do.
    result = run_dbt_build(tmp_path, {**dbt_vars, "experiment_challenger_share": 0.3}, EXPERIMENT_NODES)
    assert result.returncode != 0
    assert f"experiment '{experiment_id}' started with challenger share 0.5" in result.stdout
    assert "start a new experiment_id" in result.stdout
