"""Charts of risk and strategy: open loans by segment and band, strategies, and the risk model's quality."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from report.style import BAND_COLORS, NEUTRAL, label, titled


def risk_by_segment_and_band(data: pd.DataFrame) -> tuple[go.Figure, str]:
    bands = data.drop_duplicates("risk_band").sort_values("band_order")
    figure = go.Figure(
        [
            go.Bar(
                y=rows.segment_name,
                x=rows.loans,
                orientation="h",
                name=f"{band.risk_band}: {band.strategy}",
                marker_color=BAND_COLORS[band.risk_band],
                customdata=rows.share_of_segment,
                hovertemplate="%{y}: %{x:,} open loans, %{customdata:.0%} of the segment",
            )
            for band in bands.itertuples()
            for rows in [data[data.risk_band == band.risk_band]]
        ]
    )
    figure.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.25})
    figure.update_xaxes(title="Open loans (count)", rangemode="tozero")
    figure.update_yaxes(title=label("segment_name"))
    top_band = bands.risk_band.iloc[-1]
    top = data[data.risk_band == top_band].set_index("segment_name")
    if top.empty:
        return titled(
            figure, "Open loans by segment and risk band", height=460
        ), f"No open loan is {top_band}."
    riskiest = top.loans.idxmax()
    sentence = (
        f"Start with {riskiest}: {top.loans[riskiest]:,.0f} of its open loans "
        f"({top.share_of_segment[riskiest]:.0%}) are {top_band} risk, more than in any other segment; "
        "their strategy is "
        f"{bands.set_index('risk_band').strategy[top_band].lower()}."
    )
    return titled(figure, "Open loans by segment and risk band", height=460), sentence


def strategies(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = make_subplots(rows=1, cols=2, subplot_titles=("Open loans", "Outstanding on open loans"))
    colors = [BAND_COLORS[band] for band in data.risk_band]
    figure.add_trace(
        go.Bar(x=data.strategy, y=data.loans, marker_color=colors, name="Open loans"), row=1, col=1
    )
    figure.add_trace(
        go.Bar(x=data.strategy, y=data.exposure, marker_color=colors, name="Outstanding"), row=1, col=2
    )
    figure.update_yaxes(title="Open loans (count)", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title="Outstanding", rangemode="tozero", row=1, col=2)
    figure.update_layout(showlegend=False)
    top = data.iloc[-1]
    sentence = (
        f"{top.loans:,} open loans ({top.share_of_loans:.0%}) hold {top.share_of_exposure:.0%} of the open "
        f"outstanding ({top.exposure:,.0f}) and call for: {top.strategy.lower()}. Work them before the "
        f"{data.iloc[0].loans:,} loans on {data.iloc[0].strategy.lower()}."
    )
    return titled(figure, "Strategies for open loans: loans and exposure", height=480), sentence


def feature_importance(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        go.Bar(
            x=data.mean_auc_drop,
            y=[label(feature) for feature in data.feature],
            orientation="h",
            marker_color=NEUTRAL,
            error_x={"type": "data", "array": data.std_auc_drop},
        )
    )
    figure.update_xaxes(title="Fall in held-out ROC AUC when shuffled (AUC points)")
    top = data.loc[data.importance_rank.idxmin()]
    uncertain = int((data.mean_auc_drop - data.std_auc_drop <= 0).sum())
    sentence = (
        f"Shuffling {label(top.feature).lower()} costs the {top.algorithm} model {top.mean_auc_drop:.3f} "
        f"AUC, more than any other feature; {top.features_without_effect} of {top.features_ranked} features "
        f"cost nothing, and for {uncertain} the error bar (one standard deviation over folds) reaches zero: "
        "do not read their order."
    )
    return titled(figure, "Feature importance (permutation)", height=max(400, 22 * len(data))), sentence


def score_calibration(data: pd.DataFrame) -> tuple[go.Figure, str]:
    figure = go.Figure(
        [
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name="Perfect calibration",
                line={"dash": "dot", "color": "#999"},
            ),
            go.Scatter(
                x=data.mean_predicted,
                y=data.observed_rate,
                mode="lines+markers",
                name="Score deciles",
                line={"color": NEUTRAL},
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
    names = [label(feature) for feature in matrix.columns]
    figure = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=names,
            y=names,
            zmin=-1,
            zmax=1,
            colorscale="RdBu_r",
            texttemplate="%{z:.2f}",
            colorbar={"title": "Pearson r"},
        )
    )
    figure.update_yaxes(autorange="reversed")
    distinct = data[(data.left_order < data.right_order) & data.correlation.notna()]
    strongest = distinct.loc[distinct.correlation.abs().idxmax()]
    first, second = sorted((label(strongest.left_feature), label(strongest.right_feature)))
    sentence = (
        f"The strongest relation is between {first.lower()} and {second.lower()} (r = "
        f"{strongest.correlation:.2f}); {strongest.nearly_uncorrelated_pairs} of {strongest.distinct_pairs} "
        "pairs are nearly uncorrelated (|r| < 0.1)."
    )
    return titled(figure, "Correlation of the main features", height=680), sentence
