"""Looks shared by every chart of the report."""

import plotly.graph_objects as go

AMOUNT = "currency units"
# SVG, not WebGL: GPU-less machines, headless browsers included, draw it the same; 5,000 points stay fast.
SCATTER_RENDER = "svg"


def titled(figure: go.Figure, title: str, height: int = 480) -> go.Figure:
    return figure.update_layout(title=title, height=height, template="plotly_white", margin={"t": 70})
