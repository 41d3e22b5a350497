"""Text for SQL that DuckDB cannot take as a parameter (file paths in ATTACH, COPY and read_* calls)."""


def sql_text(value) -> str:
    """`value` as the inside of a single-quoted SQL string: quotes doubled."""
    return str(value).replace("'", "''")
