"""The shared Markdown table of the tools' results."""

import pandas as pd

from tools.markdown import as_markdown


def test_the_markdown_table_has_a_header_and_a_row_per_model():
    table = pd.DataFrame({"model": ["a", "oracle"], "cv_roc_auc": [0.81234, 0.9], "meets_bar": [True, None]})

    lines = as_markdown(table).splitlines()

    assert lines[0] == "| model | cv_roc_auc | meets_bar |"
    assert lines[2] == "| a | 0.8123 | yes |"
    assert lines[3] == "| oracle | 0.9000 |  |"
