-- On plain Spark: the table ml/spark_job.py wrote for the Python model of the same name (models/intermediate/int_features_ranked.py).

select * from {{ source('spark_ml', 'int_features_ranked') }}
