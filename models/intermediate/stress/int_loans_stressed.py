"""Open loans under each stress scenario, rescored by the risk model in use (logic in ml.stress)."""

from ml.frames import LOAN_ORDER, read_frame
from ml.model_store import selected_model
from ml.stress import model_scorer, stress_loans


def model(dbt, session):
    model_dir = dbt.config.get("model_dir")
    features = read_frame(session, dbt.ref("loan_features").filter("is_open").order(LOAN_ORDER))
    segments = read_frame(session, dbt.ref("int_borrowers_segmented").project("loan_id, segment_name"))
    scenarios = read_frame(session, dbt.ref("int_stress_scenarios"))
    collateral = read_frame(session, dbt.ref("int_stress_collateral_changes"))
    in_use = read_frame(
        session, dbt.ref("int_loans_scored").filter("is_selected").project("run_id, is_selected").distinct()
    )
    fitted = selected_model(in_use, model_dir, with_folds=True)
    return stress_loans(features, scenarios, collateral, segments, model_scorer(fitted))
