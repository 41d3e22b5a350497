"""Plotly figures of the report, a function a section: an rpt_ model's rows in, figure and sentence out."""
