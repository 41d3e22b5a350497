"""Every KPI of the semantic layer (models/marts/metrics), queried through `mf` as a BI user would, equals the
mart or report figure it replaces; balances stay non-additive over time."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.dbt_runner import query
from tools.dbt_process import REPO, dbt_env

MF = str(Path(sys.executable).with_name("mf"))

SNAPSHOT_METRICS = {
    # metric: portfolio_summary column
    "book_loans": "loans",
    "outstanding_amount": "total_outstanding",
    "npa_amount": "npa_amount",
    "npa_ratio": "npa_ratio",
    "default_rate": "default_rate",
    "disbursed_amount": "total_disbursed",
    "recovery_rate": "recovery_rate",
    "expected_loss": "expected_loss",
}
MONTHLY_METRICS = {
    # metric: monthly_risk_trend column
    "open_loans": "open_loans",
    "overdue_open_loans": "open_overdue_loans",
    "overdue_open_amount": "open_overdue_amount",
}


@pytest.fixture(scope="module")
def metricflow(sample_warehouse, tmp_path_factory):
    """Runs `mf query` on the shared sample build. mf reads <project>/target/semantic_manifest.json, so it
    runs in a copy of the project made of links to the repo, whose target/ is the build's."""
    project = tmp_path_factory.mktemp("mf_project")
    for entry in REPO.iterdir():
        if entry.name not in {"target", "logs", ".git"}:
            (project / entry.name).symlink_to(entry)
    (project / "target").symlink_to(sample_warehouse.parent / "target")
    env = {**dbt_env(sample_warehouse), "DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(project)}

    def mf_query(metrics: list[str], group_by: list[str] | None = None) -> pd.DataFrame:
        out = project / "result.csv"
        command = [MF, "query", "--metrics", ",".join(metrics), "--csv", str(out)]
        if group_by:
            command += ["--group-by", ",".join(group_by)]
        result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
        assert result.returncode == 0 and out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
        frame = pd.read_csv(out)
        out.unlink()
        return frame

    return mf_query


def assert_same(metric_values: pd.Series, mart_values: pd.Series, what: str) -> None:
    pd.testing.assert_series_equal(
        metric_values.astype(float).reset_index(drop=True),
        mart_values.astype(float).reset_index(drop=True),
        check_names=False,
        rtol=1e-9,
        atol=0.01,  # portfolio_summary rounds expected_loss to cents
        obj=what,
    )


def test_snapshot_metrics_equal_the_portfolio_summary_and_the_report(metricflow, sample_warehouse):
    metrics = metricflow(list(SNAPSHOT_METRICS))
    summary = query(sample_warehouse, "select * from portfolio_summary where dimension = 'portfolio'")
    kpis = query(sample_warehouse, "select * from reports.rpt_portfolio_kpis")
    assert len(metrics) == 1
    for metric, column in SNAPSHOT_METRICS.items():
        assert_same(metrics[metric], summary[column], f"{metric} vs portfolio_summary.{column}")
        if column in kpis.columns:
            assert_same(metrics[metric], kpis[column], f"{metric} vs rpt_portfolio_kpis.{column}")


@pytest.mark.parametrize("dimension", ["loan_type", "employment_type", "segment_name"])
def test_snapshot_metrics_by_dimension_equal_the_portfolio_summary(metricflow, sample_warehouse, dimension):
    group = f"loan__{dimension}"
    metrics = metricflow(list(SNAPSHOT_METRICS), [group]).sort_values(group)
    summary = query(
        sample_warehouse,
        f"select * from portfolio_summary where dimension = '{dimension}' order by dimension_value",
    )
    assert list(metrics[group]) == list(summary["dimension_value"])
    for metric, column in SNAPSHOT_METRICS.items():
        assert_same(metrics[metric], summary[column], f"{metric} by {dimension}")


def test_monthly_metrics_equal_the_monthly_risk_trend(metricflow, sample_warehouse):
    metrics = metricflow(list(MONTHLY_METRICS), ["metric_time__month"]).sort_values("metric_time__month")
    trend = query(sample_warehouse, "select * from monthly_risk_trend order by month_end")
    months = pd.to_datetime(metrics["metric_time__month"]).dt.to_period("M")
    assert list(months) == list(pd.to_datetime(trend["month_end"]).dt.to_period("M"))
    for metric, column in MONTHLY_METRICS.items():
        assert_same(metrics[metric], trend[column], f"{metric} vs monthly_risk_trend.{column}")


def test_balances_are_not_summed_over_months(metricflow, sample_warehouse):
    """A quarter's open loans and overdue amount are its last month end's, not the sum of its three."""
    metrics = metricflow(list(MONTHLY_METRICS), ["metric_time__quarter"]).sort_values("metric_time__quarter")
    trend = query(
        sample_warehouse,
        "select * from monthly_risk_trend"
        " qualify month_end = max(month_end) over (partition by date_trunc('quarter', month_end))"
        " order by month_end",
    )
    for metric, column in MONTHLY_METRICS.items():
        assert_same(metrics[metric], trend[column], f"{metric} by quarter")


def test_cure_and_roll_rates_equal_the_roll_rates_mart(metricflow, sample_warehouse):
    group = "loan_month__delinquency_bucket"
    metrics = metricflow(["cure_rate", "roll_rate"], [group]).set_index(group)
    rates = query(
        sample_warehouse,
        "select from_bucket, any_value(cure_rate) as cure_rate,"
        " sum(case when to_bucket_order = from_bucket_order + 1 then roll_rate else 0 end) as roll_rate"
        " from roll_rates group by from_bucket order by from_bucket",
    ).set_index("from_bucket")
    assert sorted(metrics.index) == list(rates.index)
    metrics = metrics.loc[rates.index]
    assert_same(metrics["cure_rate"], rates["cure_rate"], "cure_rate vs roll_rates")
    assert_same(metrics["roll_rate"], rates["roll_rate"], "roll_rate vs roll_rates")
