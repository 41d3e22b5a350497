-- The loan keys to rebuild (macros/project/incremental/incremental_by_loan.sql): those whose features may have
-- changed since the last complete build: new, changed or vanished loans (has_changed_inputs), every loan
-- when the build context (repayment tolerance, performance window, ledger or not) changed or there is no complete
-- build yet, and the open loans when the as-of date moved (a resolved loan's observation point does not move with
-- it, an open loan's does). The validated tables depend on the input rows only and rebuild the loans with
-- has_changed_inputs; loan_features, the scores and the reason codes every loan listed.

{%- set built = existing_loan_inputs_built() %}

with

current_inputs as (
    select * from {{ ref('int_loan_inputs_fingerprinted') }}
),

{% if built is not none -%}
built_inputs as (
    select * from {{ built }}
),

compared as (
    select
        coalesce(current_inputs.loan_key, built_inputs.loan_key) as loan_key,
        -- a side missing (a new or a vanished loan) counts as a change
        coalesce(current_inputs.input_fingerprint <> built_inputs.input_fingerprint, true) as has_changed_inputs,
        coalesce(current_inputs.build_context <> built_inputs.build_context, true) as has_changed_context,
        coalesce(current_inputs.as_of_date <> built_inputs.as_of_date, true) as has_moved_as_of_date,
        coalesce(current_inputs.is_open_in_ledger, false) as is_open_in_ledger
    from current_inputs
    full outer join built_inputs
        on current_inputs.loan_key = built_inputs.loan_key
),

final as (
    select
        loan_key,
        has_changed_inputs
    from compared
    where has_changed_inputs or has_changed_context or (has_moved_as_of_date and is_open_in_ledger)
)
{%- else -%}
final as (
    select
        loan_key,
        true as has_changed_inputs
    from current_inputs
)
{%- endif %}

select * from final
