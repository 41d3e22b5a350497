"""Open loans under each stress scenario, rescored by the risk model in use (logic in ml.stress).

A table rebuilt on every build, from the rows of its previous version for the loans whose inputs, segment,
model in use and scenarios are unchanged: only the others are rescored (ml.stress.restress).
"""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

import duckdb

from ml.frames import read_frame
from ml.model_store import selected_model
from ml.stress import STATE_COLUMNS, STRESSED_COLUMNS, model_scorer, restress, stress_fingerprint


def model(dbt, session):
    risk_model_dir = dbt.config.get("risk_model_dir")
    rescore_all = str(dbt.config.get("rescore_all")).lower() == "true"
    features = dbt.ref("loan_features").filter("is_open")
    segments = dbt.ref("int_borrowers_segmented").project("loan_id, segment_name")
    scenarios = read_frame(session, dbt.ref("int_stress_scenarios"))
    collateral = read_frame(session, dbt.ref("int_stress_collateral_changes"))
    in_use = read_frame(
        session, dbt.ref("int_loans_scored").filter("is_selected").project("run_id, is_selected").distinct()
    )
    loan_states = dbt.ref("int_loan_inputs_fingerprinted").project(
        "loan_key as loan_id, md5(concat_ws('|', input_fingerprint, build_context, as_of_date)) as loan_state"
    )
    fitted = selected_model(in_use, risk_model_dir, with_folds=True)
    fingerprint = stress_fingerprint(fitted.run_id, scenarios, collateral)
    previous = None
    if not rescore_all:
        previous = f"select {', '.join(STRESSED_COLUMNS + STATE_COLUMNS)} from {dbt.this}"
        try:
            session.sql(previous).limit(0).fetchall()
        except (duckdb.CatalogException, duckdb.BinderException):
            # the first build (or the table's columns changed): every loan is scored
            previous = None
    return restress(
        session,
        features,
        scenarios,
        collateral,
        segments,
        model_scorer(fitted),
        fingerprint,
        loan_states,
        previous,
    )
