{%- set orders = source('ledger', 'orders') -%}
{%- set columns = ledger_orders_columns() -%}
{%- set label = "ledger file '" ~ ledger_file('orders') ~ "'" -%}
{%- do assert_usable_input(orders, columns | map(attribute='source') | list, label, ledger_file('orders')) -%}

with

parsed as (
    {{ parsed_input(orders, columns) }}
),

final as (
    select
        -- lineage
        '{{ ledger_file('orders') | replace("'", "''") }}' as source_file,
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
        missing_columns
    from parsed
)

select * from final
