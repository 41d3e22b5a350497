"""Benchmark of the whole `dbt build` on generated loans, next to two references run on the same data.

The references: the source documents' method (pandas reads the CSV, scikit-learn K-Means + Random Forest) and
the SQL dbt compiled replayed by DuckDB alone, with the Python models called directly. Prints the results and
writes them, with the targets, to bench/results.md. runs.py generates and builds, timing.py measures,
baseline.py and replay.py are the references, render.py writes the tables, spark.py builds the same
files on a local Spark (--spark-loans, default 1M); __main__.py runs it all.

    python -m tools.benchmark --loans 10000 100000 1000000 [--with-10m] [--workdir DIR] [--seed S]
    python -m tools.benchmark --spark-only [--spark-loans 1000000] [--workdir DIR]  # DuckDB and Spark rows
"""
