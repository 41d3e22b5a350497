-- Input rows the warehouse could not use, with why and with their original values: nothing is dropped silently.

{%- set inputs = [('loan_recovery', 'int_loans_validated')] %}
{%- if ledger_is_present() %}
    {%- do inputs.extend([
        ('ledger_orders', 'int_ledger_orders_validated'),
        ('ledger_plan', 'int_ledger_plan_validated'),
        ('ledger_payments', 'int_ledger_payments_validated'),
    ]) %}
{%- endif %}

with

{% for source_name, validated_model in inputs %}
{{ source_name }}_rows as (
    select
        -- lineage
        '{{ source_name }}' as source_name,
        source_file,
        source_row_number,
        -- ids
        loan_id,
        -- problem
        rejection_reason,
        raw_record
    from {{ ref(validated_model) }}
    where rejection_reason is not null
),

{% endfor -%}

final as (
    {%- for source_name, _ in inputs %}
    select * from {{ source_name }}_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from final
