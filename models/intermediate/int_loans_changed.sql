-- The loan keys to rebuild (macros/project/incremental_by_loan.sql): those whose inputs changed since the last
-- complete build (new, changed or vanished loans; has_changed_inputs), and every loan when the build context
-- (as-of date, repayment tolerance) changed or there is no complete build yet. The validated tables depend on the
-- input rows only and rebuild the loans with has_changed_inputs; the others rebuild every loan listed.

{%- set built = existing_loan_inputs_built() %}

with

current_inputs as (
    select * from {{ ref('int_loan_inputs_fingerprinted') }}
),

{% if built is not none -%}
built_inputs as (
    select * from {{ built }}
),

final as (
    select
        coalesce(current_inputs.loan_key, built_inputs.loan_key) as loan_key,
        current_inputs.input_fingerprint is distinct from built_inputs.input_fingerprint as has_changed_inputs
    from current_inputs
    full outer join built_inputs
        on current_inputs.loan_key = built_inputs.loan_key
    where
        current_inputs.input_fingerprint is distinct from built_inputs.input_fingerprint
        or current_inputs.build_context is distinct from built_inputs.build_context
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
