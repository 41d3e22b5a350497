"""Population stability of the score and each feature, training loans vs scored loans (logic in ml.drift)."""

import ml.runtime  # noqa: F401 (first: the ML stack, imported by one thread; ml/runtime.py)

from ml.drift import population_stability
from ml.features import RISK_MODEL_COLUMNS
from ml.frames import LOAN_ORDER, read_frame
from ml.model_store import selected_model


def model(dbt, session):
    risk_model_dir = dbt.config.get("risk_model_dir")
    features = read_frame(
        session, dbt.ref("loan_features").project(", ".join(RISK_MODEL_COLUMNS)).order(LOAN_ORDER)
    )
    # Only the selected run's scores are used; reading every algorithm's rows took seconds on 1M loans.
    scores = read_frame(session, dbt.ref("int_loans_scored").filter("is_selected"))
    return population_stability(selected_model(scores, risk_model_dir), features, scores)
