{%- set payments = source('ledger', 'payments') -%}
{%- set columns = ledger_payments_columns() -%}
{%- set label = "ledger file '" ~ ledger_file('payments') ~ "'" -%}
{%- do assert_usable_input(payments, columns | map(attribute='source') | list, label, ledger_file('payments')) -%}

with

parsed as (
    {{ parsed_input(payments, columns) }}
),

final as (
    select
        -- lineage
        '{{ ledger_file('payments') | replace("'", "''") }}' as source_file,
        source_row_number,
        -- ids
        loan_id,
        -- payment
        paid_at,
        paid_amount,
        -- data quality
        invalid_columns,
        missing_columns
    from parsed
)

select * from final
