-- Warns (does not fail) when the loan snapshot's Num_Missed_Payments or Days_Past_Due disagree with the values
-- derived from the ledger at the loan's observation point (its observation_date in loan_features). Real exports
-- often do, and collectors should know which to trust. For a resolved loan a disagreement can also mean that the
-- snapshot recorded them later, when the outcome was known: then they leak it into the risk model
-- (docs/model-quality.md, "How far to trust a score").
{{ config(severity='warn') }}

with

snapshot as (
    select * from {{ ref('loan_features') }}
),

observed as (
    select * from {{ ref('int_loans_observation') }}
)

select
    snapshot.loan_id,
    observed.observation_date,
    snapshot.num_missed_payments,
    observed.missed_instalments,
    snapshot.days_past_due,
    observed.days_past_due as ledger_days_past_due
from snapshot
inner join observed
    on snapshot.loan_id = observed.loan_id
where
    snapshot.num_missed_payments <> observed.missed_instalments
    or snapshot.days_past_due <> observed.days_past_due
