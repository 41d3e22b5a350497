-- The monthly delinquency snapshot and loan_repayment apply the same rules: at the month end that is the as-of
-- date, both give the same planned, paid and days past due for every loan.

with

month_end_rows as (
    select * from {{ ref('int_loans_monthly_delinquency') }}
),

repayment as (
    select * from {{ ref('loan_repayment') }}
)

select
    repayment.loan_id,
    repayment.days_past_due,
    month_end_rows.days_past_due as month_end_days_past_due
from repayment
inner join month_end_rows
    on repayment.loan_id = month_end_rows.loan_id
    and repayment.as_of_date = month_end_rows.month_end
where
    repayment.planned_to_date <> month_end_rows.planned_to_date
    or repayment.paid_to_date <> month_end_rows.paid_to_date
    or repayment.days_past_due <> month_end_rows.days_past_due
