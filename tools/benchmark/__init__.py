"""Benchmark of the whole `dbt build` on generated loans, next to two references run on the same data.

The references: the source documents' method (pandas reads the CSV, scikit-learn K-Means + Random Forest) and
the SQL dbt compiled replayed by DuckDB alone, with the Python models called directly. Prints the results and
writes them, with the targets, to bench/results.md.

    python -m tools.benchmark --loans 10000 100000 1000000 [--with-10m] [--workdir DIR] [--seed S]
"""
