"""Writes the loan-recovery report: one self-contained HTML file of plotly charts drawn from the marts.

Every figure comes from SQL on the warehouse, opened read-only; Python only shapes query results into charts
and into the one sentence under each chart. Scatter plots sample and everything else aggregates in SQL, so the
file stays small at any size. Run `make report` (or `python -m ml.report`) after a build.
"""

import argparse
import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.offline
from plotly.subplots import make_subplots

from ml.features import LABEL, SEGMENTATION_FEATURES

DEFAULT_OUT = Path("reports") / "loan-recovery-report.html"
# Points per scatter plot: enough to show the shape, small enough to keep the file light at 1M loans.
SCATTER_SAMPLE = 5000
AMOUNT = "currency units"
# The loan-level features whose pairwise correlations the report shows: the borrower profile, two burden
# ratios and the outcome.
MAIN_FEATURES = (*SEGMENTATION_FEATURES, "emi_to_income_ratio", "loan_to_value_ratio", LABEL)
# SVG, not WebGL: GPU-less machines, headless browsers included, draw it the same; 5,000 points stay fast.
SCATTER_RENDER = "svg"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Chart:
    """One section of the report: the marts it reads, its query, and the figure and sentence made from it."""

    key: str
    title: str
    tables: tuple[str, ...]
    query: Callable[[duckdb.DuckDBPyConnection], pd.DataFrame]
    figure: Callable[[pd.DataFrame], tuple[go.Figure, str]]


def _sampled(table: str, columns: str) -> str:
    # Ordering by a hash of the key gives the same sample on every run, unlike a random sample.
    return f"select {columns} from {table} order by hash(loan_id) limit {SCATTER_SAMPLE}"


def _titled(figure: go.Figure, title: str, height: int = 480) -> go.Figure:
    return figure.update_layout(title=title, height=height, template="plotly_white", margin={"t": 70})


def query_kpis(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select loans, total_outstanding, npa_ratio, default_rate, recovery_rate, expected_loss
        from portfolio_summary
        where dimension = 'portfolio'
        """
    ).df()


def figure_kpis(data: pd.DataFrame) -> tuple[go.Figure, str]:
    row = data.iloc[0]
    tiles = [
        ("NPA ratio (% of outstanding)", row.npa_ratio * 100, "%"),
        ("Default rate (% of loans)", row.default_rate * 100, "%"),
        ("Recovery rate (% of disbursed)", row.recovery_rate * 100, "%"),
        (f"Expected loss ({AMOUNT})", row.expected_loss, ""),
    ]
    figure = go.Figure(
        [
            go.Indicator(
                mode="number",
                value=value,
                number={"suffix": suffix, "valueformat": ".1f" if suffix else ",.0f"},
                title={"text": label},
                domain={"row": 0, "column": column},
            )
            for column, (label, value, suffix) in enumerate(tiles)
        ]
    )
    figure.update_layout(grid={"rows": 1, "columns": len(tiles)})
    sentence = (
        f"{row.npa_ratio:.1%} of the {row.total_outstanding:,.0f} outstanding sits in NPA loans, "
        f"{row.default_rate:.1%} of the {row.loans:,.0f} loans are NPA or written off, "
        f"{row.recovery_rate:.1%} of the disbursed amount has been repaid, "
        f"and the expected loss is {row.expected_loss:,.0f}."
    )
    return _titled(figure, "Portfolio KPIs", height=260), sentence


def query_amount_vs_income(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        f"""
        with sampled as ({_sampled("recovery_strategy", "monthly_income, loan_amount, loan_id")}),
        whole_book as (
            select
                count(*) as loans,
                corr(monthly_income, loan_amount) as income_amount_corr,
                median(loan_amount) / median(monthly_income) as median_amount_to_income
            from recovery_strategy
        )
        select sampled.monthly_income, sampled.loan_amount, whole_book.*
        from sampled
        cross join whole_book
        """
    ).df()


def figure_amount_vs_income(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.scatter(
        data,
        x="monthly_income",
        y="loan_amount",
        marginal_x="histogram",
        marginal_y="histogram",
        opacity=0.5,
        render_mode=SCATTER_RENDER,
        labels={"monthly_income": f"Monthly income ({AMOUNT})", "loan_amount": f"Loan amount ({AMOUNT})"},
    )
    row = data.iloc[0]
    sentence = (
        f"Across {int(row.loans):,} loans, loan amount and monthly income correlate at "
        f"{row.income_amount_corr:.2f}; "
        f"the median loan is {row.median_amount_to_income:.1f} times the median monthly income "
        f"({len(data):,} loans plotted)."
    )
    return _titled(figure, "Loan amount vs monthly income", height=560), sentence


def query_status_by_payment_history(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select
            payment_history,
            recovery_status,
            count(*) as loans,
            count(*) / sum(count(*)) over (partition by payment_history) as share_of_history
        from recovery_strategy
        where not is_open
        group by payment_history, recovery_status
        order by payment_history, recovery_status
        """
    ).df()


def figure_status_by_payment_history(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.bar(
        data,
        x="payment_history",
        y="share_of_history",
        color="recovery_status",
        custom_data=["loans"],
        labels={
            "payment_history": "Payment history",
            "share_of_history": "Share of resolved loans (%)",
            "recovery_status": "Recovery status",
        },
    )
    figure.update_yaxes(tickformat=".0%")
    shares = data.pivot_table(index="payment_history", columns="recovery_status", values="share_of_history")
    status = "Written Off"
    worst, best = shares[status].idxmax(), shares[status].idxmin()
    sentence = (
        f"{status}: {shares.loc[worst, status]:.0%} of resolved loans with {worst} payment history, "
        f"{shares.loc[best, status]:.0%} of those with {best}."
    )
    return _titled(figure, "Recovery status by payment history"), sentence


def query_missed_payments(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        with counts as (
            select recovery_status, num_missed_payments, count(*) as loans
            from recovery_strategy
            where not is_open
            group by all
        )
        select
            *,
            loans / sum(loans) over (partition by recovery_status) as share_of_status,
            sum(num_missed_payments * loans) over (partition by recovery_status)
            / sum(loans) over (partition by recovery_status) as mean_missed_payments
        from counts
        order by recovery_status, num_missed_payments
        """
    ).df()


def figure_missed_payments(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.bar(
        data,
        x="num_missed_payments",
        y="share_of_status",
        color="recovery_status",
        barmode="group",
        labels={
            "num_missed_payments": "Missed payments (count)",
            "share_of_status": "Share of the status's loans (%)",
            "recovery_status": "Recovery status",
        },
    )
    figure.update_yaxes(tickformat=".0%")
    means = data.groupby("recovery_status").mean_missed_payments.first().sort_values(ascending=False)
    parts = [f"{status} loans missed {mean:.1f} payments on average" for status, mean in means.items()]
    return _titled(figure, "Missed payments by recovery status"), "; ".join(parts) + "."


def query_income_amount_by_status(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        f"""
        with labelled as (
            select loan_id, monthly_income, loan_amount, coalesce(recovery_status, 'Open') as recovery_status
            from recovery_strategy
        ),
        sampled as ({_sampled("labelled", "*")}),
        by_status as (
            select
                recovery_status,
                median(monthly_income) as status_median_income,
                median(loan_amount) as status_median_amount
            from labelled
            group by recovery_status
        )
        select sampled.monthly_income, sampled.loan_amount, by_status.*
        from sampled
        inner join by_status on sampled.recovery_status = by_status.recovery_status
        order by by_status.recovery_status
        """
    ).df()


def figure_income_amount_by_status(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.scatter(
        data,
        x="monthly_income",
        y="loan_amount",
        color="recovery_status",
        opacity=0.6,
        render_mode=SCATTER_RENDER,
        labels={
            "monthly_income": f"Monthly income ({AMOUNT})",
            "loan_amount": f"Loan amount ({AMOUNT})",
            "recovery_status": "Recovery status",
        },
    )
    medians = data.groupby("recovery_status")[["status_median_income", "status_median_amount"]].first()
    parts = [
        f"{status} {row.status_median_income:,.0f} / {row.status_median_amount:,.0f}"
        for status, row in medians.sort_values("status_median_income").iterrows()
    ]
    sentence = "Median monthly income / loan amount by status: " + ", ".join(parts) + "."
    return _titled(figure, "Monthly income and loan amount by recovery status", height=520), sentence


def query_segments(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        f"""
        with sampled as (
            {_sampled("borrower_segments", "loan_id, segment_name, monthly_income, loan_amount")}
        ),
        by_segment as (
            select
                segment_name,
                count(*) / sum(count(*)) over () as share_of_loans,
                median(monthly_income) as segment_median_income,
                median(loan_amount) as segment_median_amount
            from borrower_segments
            group by segment_name
        )
        select sampled.monthly_income, sampled.loan_amount, by_segment.*
        from sampled
        inner join by_segment on sampled.segment_name = by_segment.segment_name
        order by by_segment.segment_name
        """
    ).df()


def figure_segments(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = px.scatter(
        data,
        x="monthly_income",
        y="loan_amount",
        color="segment_name",
        opacity=0.6,
        render_mode=SCATTER_RENDER,
        labels={
            "monthly_income": f"Monthly income ({AMOUNT})",
            "loan_amount": f"Loan amount ({AMOUNT})",
            "segment_name": "Segment",
        },
    )
    segments = data.groupby("segment_name")[["share_of_loans", "segment_median_income"]].first()
    largest = segments.share_of_loans.idxmax()
    sentence = (
        f"{len(segments)} segments; the largest, {largest}, holds {segments.share_of_loans[largest]:.0%} of "
        f"loans with a median monthly income of {segments.segment_median_income[largest]:,.0f}."
    )
    return _titled(figure, "Borrower segments on income vs loan amount", height=520), sentence


def query_risk_heatmap(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select
            recovery_strategy.segment_name,
            recovery_strategy.risk_band,
            risk_bands.band_order,
            risk_bands.strategy,
            count(*) as loans,
            count(*) / sum(count(*)) over (partition by recovery_strategy.segment_name) as share_of_segment
        from recovery_strategy
        inner join risk_bands on recovery_strategy.risk_band = risk_bands.risk_band
        group by
            recovery_strategy.segment_name,
            recovery_strategy.risk_band,
            risk_bands.band_order,
            risk_bands.strategy
        order by risk_bands.band_order, recovery_strategy.segment_name
        """
    ).df()


def figure_risk_heatmap(data: pd.DataFrame) -> tuple[go.Figure, str]:
    bands = data.drop_duplicates("risk_band").sort_values("band_order")
    shares = data.pivot(index="segment_name", columns="risk_band", values="share_of_segment")[bands.risk_band]
    loans = data.pivot(index="segment_name", columns="risk_band", values="loans")[bands.risk_band]
    strategies = dict(zip(bands.risk_band, bands.strategy, strict=True))
    text = [
        [
            f"{strategies[band]}<br>{loans.loc[segment, band]:,.0f} loans"
            if pd.notna(loans.loc[segment, band])
            else ""
            for band in shares.columns
        ]
        for segment in shares.index
    ]
    figure = go.Figure(
        go.Heatmap(
            z=shares.fillna(0).to_numpy(),
            x=list(shares.columns),
            y=list(shares.index),
            text=text,
            texttemplate="%{text}",
            colorscale="Reds",
            colorbar={"title": "Share of segment", "tickformat": ".0%"},
        )
    )
    figure.update_xaxes(title="Risk band (strategy in each cell)")
    figure.update_yaxes(title="Borrower segment")
    top_band = bands.risk_band.iloc[-1]
    riskiest = shares[top_band].fillna(0).idxmax()
    sentence = (
        f"{riskiest} has the largest share of its loans in the {top_band} band "
        f"({shares.loc[riskiest, top_band]:.0%}), where the strategy is: {strategies[top_band]}."
    )
    return _titled(figure, "Risk by segment and band, with the strategy", height=520), sentence


def query_strategies(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select
            recovery_strategy.strategy,
            count(*) as loans,
            sum(recovery_strategy.outstanding_loan_amount) as exposure,
            count(*) / sum(count(*)) over () as share_of_loans,
            sum(recovery_strategy.outstanding_loan_amount)
            / sum(sum(recovery_strategy.outstanding_loan_amount)) over () as share_of_exposure
        from recovery_strategy
        inner join risk_bands on recovery_strategy.risk_band = risk_bands.risk_band
        group by recovery_strategy.strategy, risk_bands.band_order
        order by risk_bands.band_order
        """
    ).df()


def figure_strategies(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Loans", "Outstanding exposure"))
    figure.add_trace(go.Bar(x=data.strategy, y=data.loans, name="Loans"), row=1, col=1)
    figure.add_trace(go.Bar(x=data.strategy, y=data.exposure, name="Exposure"), row=1, col=2)
    figure.update_yaxes(title="Loans (count)", row=1, col=1)
    figure.update_yaxes(title=f"Outstanding amount ({AMOUNT})", row=1, col=2)
    figure.update_xaxes(title="Strategy")
    figure.update_layout(showlegend=False)
    top = data.loc[data.exposure.idxmax()]
    sentence = (
        f"{top.strategy} covers {top.share_of_loans:.0%} of loans and the largest share of the outstanding "
        f"amount, {top.share_of_exposure:.0%} ({top.exposure:,.0f})."
    )
    return _titled(figure, "Strategies: loans and exposure", height=520), sentence


def query_feature_importance(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    # The fit whose score drives the strategies; the comparison fits of the same build are in model_runs.
    return connection.execute(
        """
        select algorithm, feature, mean_auc_drop, std_auc_drop
        from feature_importance
        where run_id = (select any_value(run_id) from risk_scores)
        order by importance_rank desc
        """
    ).df()


def figure_feature_importance(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        go.Bar(
            x=data.mean_auc_drop,
            y=data.feature,
            orientation="h",
            error_x={"type": "data", "array": data.std_auc_drop},
        )
    )
    figure.update_xaxes(title="Fall in held-out ROC AUC when shuffled (AUC points)")
    figure.update_yaxes(title="Feature")
    top = data.iloc[-1]
    unused = int((data.mean_auc_drop <= 0).sum())
    sentence = (
        f"Shuffling {top.feature} costs the {top.algorithm} model {top.mean_auc_drop:.3f} AUC, more than any "
        f"other feature; {unused} of {len(data)} features cost nothing."
    )
    return _titled(figure, "Feature importance (permutation)", height=max(400, 22 * len(data))), sentence


def query_calibration(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select algorithm, score_decile, n_loans, mean_predicted, observed_rate, calibration_gap
        from score_calibration
        where is_selected
        order by score_decile
        """
    ).df()


def figure_calibration(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        [
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Perfect calibration", line={"dash": "dot"}),
            go.Scatter(
                x=data.mean_predicted,
                y=data.observed_rate,
                mode="lines+markers",
                name="Score deciles",
                customdata=data.score_decile,
                hovertemplate="decile %{customdata}: predicted %{x:.1%}, observed %{y:.1%}",
            ),
        ]
    )
    figure.update_xaxes(title="Mean predicted probability (%)", tickformat=".0%")
    figure.update_yaxes(title="Observed rate not fully recovered (%)", tickformat=".0%")
    worst = data.loc[data.calibration_gap.abs().idxmax()]
    sentence = (
        f"The {worst.algorithm} score's largest gap is in decile {worst.score_decile:.0f}: predicted "
        f"{worst.mean_predicted:.1%}, observed {worst.observed_rate:.1%}; deciles run from "
        f"{data.observed_rate.iloc[0]:.1%} to {data.observed_rate.iloc[-1]:.1%} observed."
    )
    return _titled(figure, "Calibration of the risk score"), sentence


def query_vintage_curves(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    # Monthly vintages are too many lines to read; issue years, weighted by each vintage's loans, are not.
    return connection.execute(
        """
        select
            year(vintage_month_end) as issue_year,
            months_on_book,
            sum(share_ever_30_plus * vintage_loans) / sum(vintage_loans) as share_ever_30_plus
        from vintage_curves
        group by all
        order by issue_year, months_on_book
        """
    ).df()


def figure_vintage_curves(data: pd.DataFrame) -> tuple[go.Figure, str]:
    data = data.assign(issue_year=data.issue_year.astype(str))
    figure = px.line(
        data,
        x="months_on_book",
        y="share_ever_30_plus",
        color="issue_year",
        labels={
            "months_on_book": "Months on book (months)",
            "share_ever_30_plus": "Share ever 30+ days past due (%)",
            "issue_year": "Issue year",
        },
    )
    figure.update_yaxes(tickformat=".0%")
    # Compare the years at an age all but the newest have reached, so older years are not favoured by age.
    reached = data.groupby("issue_year").months_on_book.max()
    age = int(reached.iloc[:-1].min()) if len(reached) > 1 else int(reached.iloc[0])
    at_age = data[data.months_on_book == age].set_index("issue_year").share_ever_30_plus
    sentence = (
        f"At {age} months on book, {at_age.max():.1%} of the loans issued in {at_age.idxmax()} had been 30+ "
        f"days past due, {at_age.min():.1%} of those issued in {at_age.idxmin()}."
    )
    return _titled(figure, "Vintage curves by issue year"), sentence


def query_roll_rates(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select from_bucket, from_bucket_order, to_bucket, to_bucket_order, transitions, roll_rate, cure_rate
        from roll_rates
        order by from_bucket_order, to_bucket_order
        """
    ).df()


def figure_roll_rates(data: pd.DataFrame) -> tuple[go.Figure, str]:
    from_order = data.drop_duplicates("from_bucket").sort_values("from_bucket_order").from_bucket
    to_order = data.drop_duplicates("to_bucket").sort_values("to_bucket_order").to_bucket
    rates = data.pivot(index="from_bucket", columns="to_bucket", values="roll_rate").loc[from_order, to_order]
    figure = go.Figure(
        go.Heatmap(
            z=rates.fillna(0).to_numpy(),
            x=list(rates.columns),
            y=list(rates.index),
            text=rates.map(lambda rate: "" if pd.isna(rate) else f"{rate:.1%}").to_numpy(),
            texttemplate="%{text}",
            colorscale="Blues",
            colorbar={"title": "Roll rate", "tickformat": ".0%"},
        )
    )
    figure.update_xaxes(title="Bucket a month later (days past due)")
    figure.update_yaxes(title="Bucket at month end (days past due)", autorange="reversed")
    first, last = from_order.iloc[0], from_order.iloc[-1]
    cures = data.drop_duplicates("from_bucket").set_index("from_bucket").cure_rate
    sentence = (
        f"{rates.loc[first, first]:.1%} of {first} loans are still {first} a month later; "
        f"of loans in {last}, {cures[last]:.1%} are back to {first}."
    )
    return _titled(figure, "Roll rates between delinquency buckets"), sentence


def query_monthly_risk_trend(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select month_end, active_loans, share_of_active_loans_overdue, overdue_amount
        from monthly_risk_trend
        order by month_end
        """
    ).df()


def figure_monthly_risk_trend(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Scatter(
            x=data.month_end, y=data.share_of_active_loans_overdue, name="Share of active loans overdue"
        ),
        secondary_y=False,
    )
    figure.add_trace(
        go.Bar(x=data.month_end, y=data.overdue_amount, name="Overdue amount", opacity=0.35),
        secondary_y=True,
    )
    figure.update_xaxes(title="Month end")
    figure.update_yaxes(title="Active loans overdue (%)", tickformat=".0%", secondary_y=False)
    figure.update_yaxes(title=f"Overdue amount ({AMOUNT})", secondary_y=True)
    latest = data.iloc[-1]
    peak = data.loc[data.share_of_active_loans_overdue.idxmax()]
    peak_text = (
        f"the peak was {peak.share_of_active_loans_overdue:.1%} at {peak.month_end:%Y-%m-%d}"
        if peak.month_end != latest.month_end
        else "the highest share of any month"
    )
    sentence = (
        f"At {latest.month_end:%Y-%m-%d}, {latest.share_of_active_loans_overdue:.1%} of "
        f"{latest.active_loans:,} active loans were overdue ({latest.overdue_amount:,.0f}), {peak_text}."
    )
    return _titled(figure, "Monthly risk trend"), sentence


def query_repayment_segments(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        """
        select
            repayment_segment,
            count(*) as loans,
            count(*) / sum(count(*)) over () as share_of_loans,
            sum(payment_gap) as payment_gap,
            avg(repayment_score) as mean_repayment_score
        from loan_repayment
        group by repayment_segment
        order by mean_repayment_score
        """
    ).df()


def figure_repayment_segments(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        go.Bar(
            x=data.repayment_segment,
            y=data.loans,
            text=[f"{share:.0%}" for share in data.share_of_loans],
            customdata=data.mean_repayment_score,
            hovertemplate="%{x}: %{y:,} loans, mean repayment score %{customdata:.1f}",
        )
    )
    figure.update_xaxes(title="Repayment segment")
    figure.update_yaxes(title="Loans (count)")
    parts = [
        f"{row.repayment_segment} {row.share_of_loans:.0%} (mean score {row.mean_repayment_score:.0f})"
        for row in data.itertuples()
    ]
    return _titled(figure, "Repayment segments"), "Ledger loans by segment: " + ", ".join(parts) + "."


def query_payment_gap(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return connection.execute(
        f"""
        with sampled as ({_sampled("loan_repayment", "loan_id, payment_gap")}),
        whole_book as (
            select
                count(*) as loans,
                avg(case when payment_gap > 0 then 1.0 else 0.0 end) as share_behind,
                avg(case when payment_gap < 0 then 1.0 else 0.0 end) as share_ahead,
                median(payment_gap) as median_gap
            from loan_repayment
        )
        select sampled.payment_gap, whole_book.*
        from sampled
        cross join whole_book
        """
    ).df()


def figure_payment_gap(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(go.Histogram(x=data.payment_gap, nbinsx=60))
    figure.update_xaxes(title=f"Planned minus paid to date ({AMOUNT}; positive = behind plan)")
    figure.update_yaxes(title="Loans (count)")
    row = data.iloc[0]
    sentence = (
        f"Of {int(row.loans):,} ledger loans, {row.share_behind:.0%} had paid less than planned by the as-of "
        f"date and {row.share_ahead:.0%} more; the median gap is {row.median_gap:,.0f}."
    )
    return _titled(figure, "Planned vs actual payments"), sentence


def query_correlations(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    pairs = ",\n".join(
        f'corr({left}::double, {right}::double) as "{left}|{right}"'
        for left in MAIN_FEATURES
        for right in MAIN_FEATURES
    )
    return connection.execute(f"select {pairs} from loan_features").df()


def figure_correlations(data: pd.DataFrame) -> tuple[go.Figure, str]:
    pairs = data.iloc[0].astype(float)
    pairs.index = pd.MultiIndex.from_tuples([tuple(pair.split("|")) for pair in pairs.index])
    matrix = pairs.unstack().loc[list(MAIN_FEATURES), list(MAIN_FEATURES)]
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=list(matrix.columns),
            y=list(matrix.index),
            zmin=-1,
            zmax=1,
            colorscale="RdBu_r",
            texttemplate="%{z:.2f}",
            colorbar={"title": "Pearson r"},
        )
    )
    figure.update_xaxes(title="Feature")
    figure.update_yaxes(title="Feature", autorange="reversed")
    pairs = matrix.stack().rename_axis(["left", "right"]).reset_index(name="r")
    pairs = pairs[pairs.left < pairs.right].dropna()
    strongest = pairs.loc[pairs.r.abs().idxmax()]
    sentence = (
        f"The strongest relation is between {strongest.left} and {strongest.right} (r = {strongest.r:.2f}); "
        f"{int((pairs.r.abs() < 0.1).sum())} of {len(pairs)} pairs are nearly uncorrelated (|r| < 0.1)."
    )
    return _titled(figure, "Correlation of the main features", height=680), sentence


CHARTS = (
    Chart("kpis", "Portfolio KPIs", ("portfolio_summary",), query_kpis, figure_kpis),
    Chart(
        "amount-vs-income",
        "Loan amount vs monthly income",
        ("recovery_strategy",),
        query_amount_vs_income,
        figure_amount_vs_income,
    ),
    Chart(
        "status-by-payment-history",
        "Recovery status by payment history",
        ("recovery_strategy",),
        query_status_by_payment_history,
        figure_status_by_payment_history,
    ),
    Chart(
        "missed-payments",
        "Missed payments by recovery status",
        ("recovery_strategy",),
        query_missed_payments,
        figure_missed_payments,
    ),
    Chart(
        "income-amount-by-status",
        "Monthly income and loan amount by recovery status",
        ("recovery_strategy",),
        query_income_amount_by_status,
        figure_income_amount_by_status,
    ),
    Chart("segments", "Borrower segments", ("borrower_segments",), query_segments, figure_segments),
    Chart(
        "risk-heatmap",
        "Risk by segment and band",
        ("recovery_strategy", "risk_bands"),
        query_risk_heatmap,
        figure_risk_heatmap,
    ),
    Chart(
        "strategies", "Strategies", ("recovery_strategy", "risk_bands"), query_strategies, figure_strategies
    ),
    Chart(
        "feature-importance",
        "Feature importance",
        ("feature_importance", "risk_scores"),
        query_feature_importance,
        figure_feature_importance,
    ),
    Chart("calibration", "Calibration", ("score_calibration",), query_calibration, figure_calibration),
    Chart(
        "vintage-curves", "Vintage curves", ("vintage_curves",), query_vintage_curves, figure_vintage_curves
    ),
    Chart("roll-rates", "Roll rates", ("roll_rates",), query_roll_rates, figure_roll_rates),
    Chart(
        "monthly-risk-trend",
        "Monthly risk trend",
        ("monthly_risk_trend",),
        query_monthly_risk_trend,
        figure_monthly_risk_trend,
    ),
    Chart(
        "repayment-segments",
        "Repayment segments",
        ("loan_repayment",),
        query_repayment_segments,
        figure_repayment_segments,
    ),
    Chart(
        "payment-gap",
        "Planned vs actual payments",
        ("loan_repayment",),
        query_payment_gap,
        figure_payment_gap,
    ),
    Chart("correlations", "Correlations", ("loan_features",), query_correlations, figure_correlations),
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem 2rem; }
section { border-top: 1px solid #ddd; padding: 1rem 0; }
p.finding { font-size: 1.05rem; margin: 0.25rem 0 0.5rem; }
p.missing { color: #777; font-style: italic; }
nav a { margin-right: 0.8rem; white-space: nowrap; }
"""

# Installed before plotly.js so that any error while drawing is recorded for the render check.
ERROR_CAPTURE = """
window.reportErrors = [];
window.addEventListener("error", function (event) {
  window.reportErrors.push(String(event.message));
});
window.addEventListener("unhandledrejection", function (event) {
  window.reportErrors.push(String(event.reason));
});
"""

# Writes what the browser actually drew into #render-check, so a headless browser's --dump-dom can verify it.
RENDER_CHECK = """
function pointCount(trace) {
  var keys = ["x", "y", "z", "values"];
  var counts = keys.map(function (key) { return trace[key] && trace[key].length ? trace[key].length : 0; });
  var most = Math.max.apply(null, counts);
  return most > 0 ? most : (typeof trace.value === "number" ? 1 : 0);
}
window.addEventListener("load", function () {
  setTimeout(function () {
    var charts = Array.prototype.map.call(document.querySelectorAll(".js-plotly-plot"), function (div) {
      var traces = div._fullData || [];
      return {
        id: div.id,
        traces: traces.length,
        points: traces.reduce(function (sum, trace) { return sum + pointCount(trace); }, 0),
        drawn: div.querySelectorAll(".main-svg").length > 0
      };
    });
    var requests = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
    document.getElementById("render-check").textContent =
      JSON.stringify({charts: charts, errors: window.reportErrors, requests: requests});
  }, 1000);
});
"""


def existing_tables(connection: duckdb.DuckDBPyConnection) -> set[str]:
    rows = connection.execute("select table_name from information_schema.tables where table_schema = 'main'")
    return {name for (name,) in rows.fetchall()}


def render_section(chart: Chart, connection: duckdb.DuckDBPyConnection, tables: set[str]) -> str:
    """One <section>: the chart and its sentence, or a note saying which marts this warehouse lacks."""
    heading = f'<section id="{chart.key}"><h2>{html.escape(chart.title)}</h2>'
    missing = [table for table in chart.tables if table not in tables]
    if missing:
        note = f"Not in this warehouse: {', '.join(missing)} (ledger marts exist only with a ledger)."
        return f'{heading}<p class="missing">{html.escape(note)}</p></section>'
    data = chart.query(connection)
    if data.empty:
        note = f"No rows in {', '.join(chart.tables)} for this chart."
        return f'{heading}<p class="missing">{html.escape(note)}</p></section>'
    figure, sentence = chart.figure(data)
    plot = figure.to_html(
        full_html=False, include_plotlyjs=False, div_id=f"chart-{chart.key}", config=PLOTLY_CONFIG
    )
    return f'{heading}<p class="finding">{html.escape(sentence)}</p>{plot}</section>'


def render_report(warehouse: Path) -> str:
    """The whole report as one HTML document, plotly.js inlined once."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = existing_tables(connection)
        sections = [render_section(chart, connection, tables) for chart in CHARTS]
    contents = " ".join(f'<a href="#{chart.key}">{html.escape(chart.title)}</a>' for chart in CHARTS)
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            "<title>Loan-recovery report</title>",
            f"<style>{STYLE}</style>",
            f"<script>{ERROR_CAPTURE}</script>",
            f"<script>{plotly.offline.get_plotlyjs()}</script>",
            "</head><body>",
            "<h1>Loan-recovery report</h1>",
            f"<p>From the marts of <code>{html.escape(warehouse.name)}</code>. Amounts are in the loan "
            "file's currency; scatter plots show a fixed sample of loans, every other figure covers all.</p>",
            f"<nav>{contents}</nav>",
            *sections,
            '<pre id="render-check" hidden></pre>',
            f"<script>{RENDER_CHECK}</script>",
            "</body></html>",
        ]
    )


def write_report(warehouse: Path, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(warehouse), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse", type=Path, default=Path(os.environ.get("DUCKDB_PATH", "loan_recovery.duckdb"))
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = write_report(args.warehouse, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) from {args.warehouse}")


if __name__ == "__main__":
    main()
