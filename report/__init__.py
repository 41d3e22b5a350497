"""The loan-recovery report: one self-contained HTML page drawing the dbt report models (models/reports/)."""
