{%- set columns = ledger_plan_columns() -%}
{%- set plan_input = ledger_input('plan') -%}
{%- if var('ledger_path') -%}
    {%- do assert_usable_input(
        plan_input, columns | map(attribute='source') | list, "ledger table 'plan' in '" ~ var('ledger_path') ~ "'"
    ) -%}
{%- endif -%}

with

parsed as (
    {{ parsed_input(plan_input, columns) }}
),

final as (
    select
        -- lineage
        '{{ (var("ledger_path") or "seed plan") | replace("'", "''") }}' as source_file,
        source_row_number,
        -- ids
        loan_id,
        -- schedule
        due_on,
        cumulative_due_amount,
        -- data quality
        invalid_columns,
        missing_columns,
        raw_record
    from parsed
)

select * from final
