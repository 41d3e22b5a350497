-- Warns (does not fail) when an open loan's Num_Missed_Payments or Days_Past_Due in the loan file disagree with
-- the values derived from the ledger at the as-of date, the one date at which both describe the loan. Real
-- exports often do, and collectors should know which to trust. With a ledger the models read the ledger's
-- values at each loan's observation point (loan_features), never the file's undated ones (docs/point-in-time.md).
{{ config(severity='warn') }}

with

snapshot as (
    {{ accepted_rows(ref('int_loans_validated'), 'is_open') }}
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
