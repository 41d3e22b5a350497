-- One row per loan: the three features that raise its risk score most, with their contributions, from the base
-- score the contributions add up from.

with

explained as (
    select * from {{ ref('int_loans_explained') }}
),

final as (
    select
        -- ids
        cast(loan_id as {{ dbt.type_string() }}) as loan_id,
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        -- reasons, strongest first
        cast(reason_1 as {{ dbt.type_string() }}) as reason_1,
        cast(reason_1_contribution as double) as reason_1_contribution,
        cast(reason_2 as {{ dbt.type_string() }}) as reason_2,
        cast(reason_2_contribution as double) as reason_2_contribution,
        cast(reason_3 as {{ dbt.type_string() }}) as reason_3,
        cast(reason_3_contribution as double) as reason_3_contribution,
        -- what the contributions add up from, and the rest of them
        cast(base_score as double) as base_score,
        cast(other_contribution as double) as other_contribution
    from explained
)

select * from final
