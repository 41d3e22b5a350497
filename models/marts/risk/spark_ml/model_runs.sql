-- On plain Spark: the fits ml/spark_job.py logged (the Python model models/marts/risk/model_runs.py), one row per
-- run_id, the latest fit of a run winning as the Python model's incremental merge does.

-- A table rebuilt from the job's log on every build: the history is the log, not this table (the Python model's
-- incremental merge needs Delta on Spark).
{{ config(materialized='table') }}

select * from {{ source('spark_ml', 'model_runs') }}
qualify row_number() over (partition by run_id order by fitted_at desc) = 1
