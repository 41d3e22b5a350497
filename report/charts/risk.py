"""Charts of risk and strategy: the segment x band heatmap, strategies, and the risk model's quality."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from report.charts.layout import AMOUNT, titled


def risk_by_segment_and_band(data: pd.DataFrame) -> tuple[go.Figure, str]:
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
    return titled(figure, "Risk by segment and band, with the strategy", height=520), sentence


def strategies(data: pd.DataFrame) -> tuple[go.Figure, str]:
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
    return titled(figure, "Strategies: loans and exposure", height=520), sentence


def feature_importance(data: pd.DataFrame) -> tuple[go.Figure, str]:
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
    top = data.loc[data.importance_rank.idxmin()]
    sentence = (
        f"Shuffling {top.feature} costs the {top.algorithm} model {top.mean_auc_drop:.3f} AUC, more than any "
        f"other feature; {top.features_without_effect} of {top.features_ranked} features cost nothing."
    )
    return titled(figure, "Feature importance (permutation)", height=max(400, 22 * len(data))), sentence


def score_calibration(data: pd.DataFrame) -> tuple[go.Figure, str]:
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
    return titled(figure, "Calibration of the risk score"), sentence


def feature_correlations(data: pd.DataFrame) -> tuple[go.Figure, str]:
    order = data.drop_duplicates("left_feature").sort_values("left_order").left_feature
    matrix = data.pivot(index="left_feature", columns="right_feature", values="correlation").loc[order, order]
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
    distinct = data[(data.left_order < data.right_order) & data.correlation.notna()]
    strongest = distinct.loc[distinct.correlation.abs().idxmax()]
    first, second = sorted((strongest.left_feature, strongest.right_feature))
    sentence = (
        f"The strongest relation is between {first} and {second} (r = {strongest.correlation:.2f}); "
        f"{strongest.nearly_uncorrelated_pairs} of {strongest.distinct_pairs} pairs are nearly uncorrelated "
        "(|r| < 0.1)."
    )
    return titled(figure, "Correlation of the main features", height=680), sentence
