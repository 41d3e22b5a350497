"""The learning curve behind risk_training_rows: held-out AUC by training size."""

from tests.ml.conftest import make_loan_features
from tools.learning_curve import learning_curve


def test_more_training_loans_rank_the_held_out_loans_better():
    features, _ = make_loan_features(n_loans=6000, n_open=1000, seed=3)
    curve = learning_curve(
        features, sizes=(60, 2000, 10_000), algorithm="logistic_regression", seeds=2, held_out_rows=2000
    )
    # 10,000 is more than the 3,000 labelled loans left once 2,000 are held out: not a point of the curve.
    assert curve["training_loans"].tolist() == [60, 2000]
    assert curve.attrs["held_out_loans"] == 2000
    small, large = curve["held_out_auc"]
    # The truth is learnable (its AUC is about 0.8): labels or rows out of line would leave the AUC near 0.5.
    assert large > 0.7
    assert large > small
    assert curve["gap_to_largest"].iloc[-1] == 0
