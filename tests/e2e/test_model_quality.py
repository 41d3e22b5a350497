"""End to end: model comparison, calibration, reasons, fairness, drift, saved-model scoring, honesty."""

import json

import pandas as pd
import pytest

from tests.dbt_runner import dbt_build, query, run_dbt_build

# Repayment behaviour: on the sample the loans still open are far more often behind plan than any resolved
# loan was at any of its month ends (docs/model-quality.md, the realistic timing), so these drift.
BEHAVIOUR = (
    "('paid_to_plan_ratio', 'days_since_last_payment', 'outstanding_share', 'num_missed_payments', "
    "'days_past_due', 'payment_gap_share')"
)


@pytest.fixture(scope="module")
def compared_and_explained(tmp_path_factory):
    """The sample's ML step and its marts with what a default build leaves off: the three algorithms compared
    on the same folds, and the resolved loans explained too (their reasons come from their fold's model)."""
    workdir = tmp_path_factory.mktemp("compared")
    nodes = ["+model_runs", "+score_calibration", "+risk_scores", "+risk_reasons"]
    dbt_vars = {"compare_risk_algorithms": True, "explain_resolved_loans": True}
    result = run_dbt_build(workdir, dbt_vars, nodes, artifacts=True)
    assert result.returncode == 0, result.stdout[-5000:]
    return workdir


@pytest.mark.slow
def test_three_algorithms_are_compared_on_the_same_folds_and_one_drives_strategy(compared_and_explained):
    runs = query(
        compared_and_explained / "warehouse.duckdb",
        """
        select r.algorithm, r.cv_folds_id, r.cv_roc_auc, r.expected_calibration_error, r.is_score_predictive,
               r.run_id in (select run_id from risk_scores) as drives_strategy
        from model_runs as r
        where r.run_id in (select run_id from score_calibration)
        """,
    )
    print("\n" + runs.to_string())
    assert sorted(runs.algorithm) == ["hist_gradient_boosting", "logistic_regression", "random_forest"]
    assert runs.cv_folds_id.nunique() == 1
    assert runs.loc[runs.drives_strategy, "algorithm"].tolist() == ["random_forest"]
    assert runs.is_score_predictive.all()
    assert (runs.expected_calibration_error < 0.05).all()


@pytest.mark.slow
def test_resolved_loans_are_explained_on_request_by_the_model_that_scored_them(compared_and_explained):
    counts = query(
        compared_and_explained / "warehouse.duckdb",
        """
        select
            (select count(*) from risk_scores) as scored,
            (select count(*) from risk_reasons) as explained,
            (select count(*) from risk_scores where is_out_of_fold) as out_of_fold
        """,
    ).iloc[0]
    assert counts.out_of_fold > 1000 and counts.explained == counts.scored
    # The data test that each loan's reasons add up to its score ran, on the loans scored out of fold too.
    results = json.loads((compared_and_explained / "target" / "run_results.json").read_text())["results"]
    ran = {result["unique_id"].split(".")[2]: result["status"] for result in results}
    assert ran["assert_reasons_add_up_to_the_shown_score"] == "pass"


def test_every_open_loan_carries_its_reasons_and_the_reports_are_filled(sample_warehouse):
    counts = query(
        sample_warehouse,
        """
        select
            (select count(*) from recovery_strategy as s left join risk_reasons as r on s.loan_id = r.loan_id
             where s.is_open and (r.loan_id is null or (s.reason_1 is null and r.other_contribution >= 0)))
                as open_without,
            (select count(*) from recovery_strategy where is_open) as open_loans,
            (select count(*) from risk_reasons as r inner join recovery_strategy as s on r.loan_id = s.loan_id
             where not s.is_open) as resolved_explained,
            (select count(*) from score_calibration) as calibration_rows,
            (select count(distinct protected_attribute) from fairness_report) as attributes,
            (select min(adverse_impact_ratio) from fairness_report) as min_air,
            (select count(*) from feature_importance) as importance_rows,
            (select max(population_stability_index) from population_stability
             where variable_name not in ('loan_tenure_months', 'risk_score')
               and variable_name not in {BEHAVIOUR}) as max_psi,
            (select max(population_stability_index) from population_stability
             where variable_name in {BEHAVIOUR}) as behaviour_psi,
            (select max(population_stability_index) from population_stability
             where variable_name = 'loan_tenure_months') as tenure_psi
        """.replace("{BEHAVIOUR}", BEHAVIOUR),
    ).iloc[0]
    # Reasons serve the loans someone acts on: every open loan has them (none only when every feature lowered
    # its score below the base), a resolved one only on request.
    assert counts.open_loans > 300 and counts.open_without == 0
    assert counts.resolved_explained == 0
    assert counts.calibration_rows == 10  # deciles of the one algorithm fitted
    assert counts.attributes == 2 and counts.min_air > 0.8
    assert counts.importance_rows > 0
    # Short loans resolve sooner, so the loans still open are longer ones; a resolved loan is learnt from on
    # every month end it was open, so long loans weigh in training as they do in the open book: no drift.
    # (Learnt from once per loan, at six months on book, the index was above 0.2.)
    assert counts.tenure_psi < 0.1
    # The open book's repayment behaviour does drift, and the warning must show it.
    assert counts.behaviour_psi > 0.2
    assert counts.max_psi < 0.2


@pytest.mark.slow
def test_a_saved_model_scores_the_loans_without_refitting(sample_warehouse, tmp_path):
    scores_sql = "select loan_id, run_id, risk_score, is_out_of_fold from risk_scores order by loan_id"
    psi_sql = "select max(population_stability_index) as psi from population_stability"
    fitted = query(sample_warehouse, scores_sql)
    run_id = fitted.run_id[0]

    model_dir = sample_warehouse.parent / "fitted_models"
    database = dbt_build(tmp_path, {"risk_model_run_id": run_id, "risk_model_dir": str(model_dir)})

    # The same scores as the build that fitted it: its training loans by their fold's model, out of fold, as
    # then (ml.risk.score_with_model), every other loan by the final model.
    pd.testing.assert_frame_equal(query(database, scores_sql), fitted, check_exact=False, rtol=1e-9)
    assert fitted.is_out_of_fold.any() and not fitted.is_out_of_fold.all()
    assert query(database, "select count(*) as n from model_runs").n[0] == 1
    assert query(database, psi_sql).psi[0] == pytest.approx(query(sample_warehouse, psi_sql).psi[0])
    assert (model_dir / f"{run_id}.joblib").exists()


@pytest.mark.slow
def test_the_public_dataset_says_plainly_that_its_score_does_not_predict(public_dataset_build):
    warehouse, output = public_dataset_build
    warnings = [line for line in output.splitlines() if "WARN" in line]
    warning = "warn_strategy_score_not_shown_to_predict_recovery_do_not_act_on_it"
    assert any(warning in line for line in warnings), output[-3000:]
    flags = query(
        warehouse,
        """
        select count(*) as loans, bool_or(s.is_score_predictive) as any_predictive,
               any_value(r.cv_roc_auc) as cv_roc_auc, any_value(r.cv_roc_auc_ci_low) as ci_low,
               any_value(r.cv_roc_auc_ci_high) as ci_high
        from recovery_strategy as s
        inner join model_runs as r on s.run_id = r.run_id
        """,
    ).iloc[0]
    print(f"\npublic dataset: cv_roc_auc = {flags.cv_roc_auc:.4f} [{flags.ci_low:.4f}, {flags.ci_high:.4f}]")
    assert flags.loans == 500
    assert not flags.any_predictive
    assert flags.ci_low < 0.5, "its interval reaches chance"
