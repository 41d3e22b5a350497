{%- set columns = ledger_orders_columns() -%}
{%- set orders_input = ledger_input('orders') -%}
{%- if var('ledger_path') -%}
    {%- do assert_usable_input(
        orders_input, columns | map(attribute='source') | list, "ledger table 'orders' in '" ~ var('ledger_path') ~ "'"
    ) -%}
{%- endif -%}

with

parsed as (
    {{ parsed_input(orders_input, columns) }}
),

final as (
    select
        -- lineage
        '{{ (var("ledger_path") or "seed orders") | replace("'", "''") }}' as source_file,
        source_row_number,
        -- ids
        loan_id,
        -- timeline
        created_at,
        issued_at,
        closed_at,
        -- amounts
        issued_amount,
        -- data quality
        invalid_columns,
        missing_columns,
        raw_record
    from parsed
)

select * from final
