"""End to end: segment names are checked against their loans' outcomes, and the AUC carries its interval."""

from tests.dbt_runner import query


def test_a_segment_name_whose_risk_words_its_loans_contradict_is_flagged(sample_warehouse):
    loans = query(
        sample_warehouse,
        """
        select b.segment_name, b.segment_resolved_loans, b.segment_not_recovered_rate,
               b.is_name_contradicted_by_outcomes, f.is_not_fully_recovered
        from borrower_segments as b
        inner join loan_features as f on b.loan_id = f.loan_id
        """,
    )
    book_rate = loans["is_not_fully_recovered"].dropna().astype(float).mean()
    for name, segment in loans.groupby("segment_name"):
        outcomes = segment["is_not_fully_recovered"].dropna().astype(float)
        assert (segment["segment_resolved_loans"] == len(outcomes)).all()
        assert segment["segment_not_recovered_rate"].iloc[0] == outcomes.mean()
        contradicted = ("Low Default Risk" in name and outcomes.mean() >= book_rate) or (
            "Higher Default Risk" in name and outcomes.mean() <= book_rate
        )
        assert (segment["is_name_contradicted_by_outcomes"] == contradicted).all(), name
    # on the sample, large loans go mostly to high incomes and are the least often lost
    flagged = loans.loc[loans["is_name_contradicted_by_outcomes"], "segment_name"].unique().tolist()
    assert flagged == ["High Loan, Higher Default Risk"]


def test_every_run_records_an_interval_around_its_auc_and_the_flag_reads_its_low_end(sample_warehouse):
    runs = query(
        sample_warehouse,
        "select cv_roc_auc, cv_roc_auc_ci_low, cv_roc_auc_ci_high, is_score_predictive from model_runs",
    )
    # about 1,400 resolved loans: an interval a few hundredths wide
    assert ((runs["cv_roc_auc_ci_high"] - runs["cv_roc_auc_ci_low"]).between(0.02, 0.08)).all()
    assert (runs["is_score_predictive"] == (runs["cv_roc_auc_ci_low"] >= 0.55)).all()
