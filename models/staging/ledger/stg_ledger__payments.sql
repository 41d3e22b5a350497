{%- set columns = ledger_payments_columns() -%}
{%- set payments_input = ledger_input('payments') -%}
{%- if var('ledger_path') -%}
    {%- do assert_usable_input(
        payments_input, columns | map(attribute='source') | list, "ledger table 'payments' in '" ~ var('ledger_path') ~ "'"
    ) -%}
{%- endif -%}

with

parsed as (
    {{ parsed_input(payments_input, columns) }}
),

final as (
    select
        -- lineage
        '{{ (var("ledger_path") or "seed payments") | replace("'", "''") }}' as source_file,
        source_row_number,
        -- ids
        loan_id,
        -- payment
        paid_at,
        paid_amount,
        -- data quality
        invalid_columns,
        missing_columns,
        raw_record
    from parsed
)

select * from final
