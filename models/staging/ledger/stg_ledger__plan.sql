{%- set plan = source('ledger', 'plan') -%}
{%- set columns = ledger_plan_columns() -%}
{%- set label = "ledger file '" ~ ledger_file('plan') ~ "'" -%}
{%- do assert_usable_input(plan, columns | map(attribute='source') | list, label, ledger_file('plan')) -%}

with

parsed as (
    {{ parsed_input(plan, columns) }}
),

final as (
    select
        -- lineage
        '{{ ledger_file('plan') | replace("'", "''") }}' as source_file,
        source_row_number,
        -- ids
        loan_id,
        -- schedule
        due_on,
        cumulative_due_amount,
        -- data quality
        invalid_columns,
        missing_columns
    from parsed
)

select * from final
