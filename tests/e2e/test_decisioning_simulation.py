"""Decisioning on data with a known answer: the generator's treatment (tools/synthetic/treatment.py) gives
every action a true effect on repayment, so the plan and the experiment can be checked against the truth.

One world of 10,000 loans: a build assigns an experiment (bands champion, optimised challenger), the generator
applies each arm's actions and adds the three following months' payments, and a second build into the same
warehouse, at the new as-of date, scores the experiment.
"""

import subprocess
import sys

import pandas as pd
import pytest

from tests.dbt_runner import REPO, dbt_build, query
from tools.synthetic import generate_portfolio
from tools.synthetic.treatment import net_recovery, open_loan_outcomes

pytestmark = pytest.mark.slow

LOANS, SEED = 10_000, 11
EXPERIMENT = {
    "collection_policy": "bands",
    "experiment_id": "sim",
    "experiment_start_date": "2026-07-01",
    "experiment_challenger_share": 0.5,
    "experiment_challenger_policy": "optimised",
    "compare_risk_algorithms": False,
}


def _generate(out, plan=None):
    command = [sys.executable, "-m", "tools.synthetic", "--loans", str(LOANS), "--seed", str(SEED)]
    command += ["--out", str(out), "--ledger-out", str(out / "ledger")]
    if plan is not None:
        command += ["--treatment-plan", str(plan)]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    return {"loan_recovery_path": str(out / "loan_recovery.csv"), "ledger_path": str(out / "ledger")}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("decisioning")
    warehouse = dbt_build(work, {**_generate(work / "before"), **EXPERIMENT})
    plan = query(warehouse, "select * from collection_plan")
    assignments = query(warehouse, "select * from collection_experiment_assignments")
    arm_actions = work / "arm_actions.csv"
    assignments[["loan_id", "arm_action"]].rename(columns={"arm_action": "action"}).to_csv(
        arm_actions, index=False
    )
    treated = _generate(work / "after", arm_actions)
    dbt_build(work, {**treated, **EXPERIMENT, "as_of_date": "2026-09-30"})
    _, truth, ledger = generate_portfolio(LOANS, SEED)
    outcomes, _ = open_loan_outcomes(truth, ledger, SEED)
    return {
        "warehouse": warehouse,
        "plan": plan,
        "assignments": assignments,
        "outcomes": outcomes.merge(plan[["loan_id", "optimised_action", "band_action"]], on="loan_id"),
    }


def test_the_optimised_plan_recovers_more_net_than_the_band_rule_on_the_same_loans(world):
    outcomes = world["outcomes"]
    optimised = net_recovery(outcomes, outcomes["optimised_action"])
    bands = net_recovery(outcomes, outcomes["band_action"])
    print(
        f"realised net recovery over {len(outcomes)} open loans: "
        f"optimised {optimised['realised_net'].sum():,.0f}, "
        f"bands {bands['realised_net'].sum():,.0f}; expected {optimised['expected_net'].sum():,.0f} vs "
        f"{bands['expected_net'].sum():,.0f}"
    )
    assert optimised["realised_net"].sum() > bands["realised_net"].sum()
    assert optimised["expected_net"].sum() > bands["expected_net"].sum()


def test_no_plan_exceeds_an_action_capacity_and_both_arms_together_stay_within_it(world):
    capacity = pd.read_csv(REPO / "seeds" / "collection_actions.csv").set_index("action")[
        "capacity_per_period"
    ]
    used = {
        "the plan": world["plan"]["action"].value_counts(),
        "optimised policy": world["plan"]["optimised_action"].value_counts(),
        "band rule": world["plan"]["band_action"].value_counts(),
        "both arms": world["assignments"]["arm_action"].value_counts(),
    }
    for name, counts in used.items():
        for action, loans in counts.items():
            assert pd.isna(capacity[action]) or loans <= capacity[action], (name, action, loans)


def test_assignments_survive_a_rebuild_on_new_data(world):
    after = query(world["warehouse"], "select * from collection_experiment_assignments")
    columns = list(world["assignments"].columns)
    before = world["assignments"].sort_values("loan_id", ignore_index=True)
    assert after.sort_values("loan_id", ignore_index=True)[columns].equals(before)


def test_the_scoreboard_interval_holds_the_true_difference_between_arms(world):
    results = query(world["warehouse"], "select * from experiment_results").set_index("arm")
    outcomes = world["outcomes"][world["outcomes"]["loan_id"].isin(world["assignments"]["loan_id"])]
    # The truth: expected net value per loan if every experiment loan got the challenger's policy, minus the
    # champion's, from the true effects.
    true_difference = (
        net_recovery(outcomes, outcomes["optimised_action"])["expected_net"].mean()
        - net_recovery(outcomes, outcomes["band_action"])["expected_net"].mean()
    )
    row = results.loc["challenger"]
    print(
        f"true difference {true_difference:,.0f} per loan; measured {row['net_value_difference']:,.0f} "
        f"[{row['difference_ci_low']:,.0f}, {row['difference_ci_high']:,.0f}]: {row['conclusion']}"
    )
    assert results.loc["champion", "arm_policy"] == "bands" and row["arm_policy"] == "optimised"
    assert row["difference_ci_low"] <= true_difference <= row["difference_ci_high"]
    # Every assigned loan is counted once, in its arm.
    assert results["loans"].sum() == len(world["assignments"])
