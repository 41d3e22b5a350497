-- One row per open loan: its arm in the running champion/challenger experiment and the policy that plans it.
-- Without an experiment (var experiment_id empty) every loan is in the champion arm, planned by collection_policy.
-- With one, a stable hash of experiment and loan id sends the share experiment_challenger_share of the loans to
-- the challenger (policy experiment_challenger_policy): the first 8 hex digits of the hash, read as a fraction of
-- 16^8, fall below the share. Hex strings of equal length compare like the numbers they write, on every engine.
{%- set experiment_id = var('experiment_id') | string %}
{%- set share = number_var('experiment_challenger_share', 0, 1) %}
{%- set threshold = '%08x' % ([share * 4294967296, 4294967295] | min | int) %}

with

open_loans as (
    {{ accepted_rows(ref('int_loans_validated'), 'is_open') }}
),

hashed as (
    select
        loan_id,
        case
            when '{{ experiment_id }}' <> ''
                then substr({{ dbt.hash(dbt.concat(["'" ~ experiment_id ~ "'", "'|'", 'loan_id'])) }}, 1, 8)
        end as assignment_hash
    from open_loans
),

armed as (
    select
        loan_id,
        assignment_hash,
        case
            when '{{ experiment_id }}' = '' then 'champion'
            when {{ 'true' if share >= 1 else "assignment_hash < '" ~ threshold ~ "'" }} then 'challenger'
            else 'champion'
        end as arm
    from hashed
),

final as (
    select
        -- grain
        loan_id,
        -- the arm
        arm,
        case
            when arm = 'challenger' then '{{ var("experiment_challenger_policy") }}'
            else '{{ var("collection_policy") }}'
        end as arm_policy,
        assignment_hash
    from armed
)

select * from final
