"""Markdown tables for the tools' printed and written results."""

import numpy as np
import pandas as pd


def as_markdown(table: pd.DataFrame) -> str:
    """The table as a Markdown table, numbers to four decimals, missing values empty."""

    def cell(value) -> str:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return ""
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        return f"{value:.4f}" if isinstance(value, float | np.floating) else str(value)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)
