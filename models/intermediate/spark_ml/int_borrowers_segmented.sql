-- On plain Spark: the table ml/spark_job.py wrote for the Python model of the same name (models/intermediate/int_borrowers_segmented.py).

select * from {{ source('spark_ml', 'int_borrowers_segmented') }}
