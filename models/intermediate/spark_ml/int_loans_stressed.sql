-- On plain Spark: the table ml/spark_job.py wrote for the Python model of the same name (models/intermediate/stress/int_loans_stressed.py).

select * from {{ source('spark_ml', 'int_loans_stressed') }}
