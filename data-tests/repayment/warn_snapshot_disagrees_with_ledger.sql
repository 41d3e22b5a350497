-- Warns (does not fail) when the loan snapshot's Num_Missed_Payments or Days_Past_Due disagree with the values
-- derived from the ledger at the as-of date: real exports often do, and collectors should know which to trust.
{{ config(severity='warn') }}

with

snapshot as (
    select * from {{ ref('loan_features') }}
),

repayment as (
    select * from {{ ref('loan_repayment') }}
)

select
    snapshot.loan_id,
    snapshot.num_missed_payments,
    repayment.missed_instalments,
    snapshot.days_past_due,
    repayment.days_past_due as ledger_days_past_due
from snapshot
inner join repayment
    on snapshot.loan_id = repayment.loan_id
where
    snapshot.num_missed_payments <> repayment.missed_instalments
    or snapshot.days_past_due <> repayment.days_past_due
