"""The ML code the warehouse's dbt Python models import (features, segmentation, risk scoring, reason
codes, drift, stress), and the same step as a PySpark job (spark_job.py). The generator: tools/synthetic/."""
