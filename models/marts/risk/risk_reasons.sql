-- One row per loan: the three features that raise its risk score most, with their contributions.

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
        cast(reason_3_contribution as double) as reason_3_contribution
    from explained
)

select * from final
