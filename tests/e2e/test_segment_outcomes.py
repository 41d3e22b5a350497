"""End to end: every segment's name says where its loans' outcomes stand against the book; the AUC interval
is as wide as its loans allow."""

import pandas as pd

from tests.dbt_runner import query


def test_every_segment_name_agrees_with_its_loans_outcomes(sample_warehouse):
    loans = query(
        sample_warehouse,
        """
        select b.segment_name, f.is_not_fully_recovered
        from borrower_segments as b
        inner join loan_features as f on b.loan_id = f.loan_id
        """,
    )
    labels = pd.to_numeric(loans["is_not_fully_recovered"], errors="coerce")
    book_rate = labels.mean()
    rates = labels.groupby(loans["segment_name"]).mean()
    print(f"\nbook {book_rate:.3f}\n" + rates.round(3).to_string())
    for name, rate in rates.items():
        if rate > book_rate:
            assert name.endswith(", Higher Default Risk"), (name, rate, book_rate)
        elif rate < book_rate:
            assert name.endswith(", Lower Default Risk"), (name, rate, book_rate)
    words = {name.rsplit(", ", 1)[1] for name in rates.index}
    assert {"Higher Default Risk", "Lower Default Risk"} <= words


def test_every_run_records_an_auc_interval_and_the_flag_reads_its_low_end(sample_warehouse):
    runs = query(
        sample_warehouse,
        "select cv_roc_auc_ci_low, cv_roc_auc_ci_high, is_score_predictive from model_runs",
    )
    # about 1,400 resolved loans: an interval a few hundredths wide
    assert ((runs["cv_roc_auc_ci_high"] - runs["cv_roc_auc_ci_low"]).between(0.02, 0.08)).all()
    assert (runs["is_score_predictive"] == (runs["cv_roc_auc_ci_low"] >= 0.55)).all()
