-- Input rows the warehouse could not use, with why and with their original values, for the mart rejected_rows.
-- The reasons come from the validated models, the original values from staging (only for the rejected rows).

{%- set inputs = [('loan_recovery', 'int_loans_validated', 'stg_loan_recovery__loans')] %}
{%- if ledger_is_present() %}
    {%- do inputs.extend([
        ('ledger_orders', 'int_ledger_orders_validated', 'stg_ledger__orders'),
        ('ledger_plan', 'int_ledger_plan_validated', 'stg_ledger__plan'),
        ('ledger_payments', 'int_ledger_payments_validated', 'stg_ledger__payments'),
    ]) %}
{%- endif %}

with

{% for source_name, validated_model, staging_model in inputs %}
{{ source_name }}_rows as (
    select
        -- lineage
        '{{ source_name }}' as source_name,
        staged.source_file,
        validated.source_row_number,
        -- ids
        validated.loan_id,
        -- problem
        validated.rejection_reason,
        staged.raw_record
    from {{ ref(validated_model) }} as validated
    inner join {{ ref(staging_model) }} as staged
        on validated.source_row_number = staged.source_row_number
    where validated.rejection_reason is not null
),

{% endfor -%}

final as (
    {%- for source_name, _, _ in inputs %}
    select * from {{ source_name }}_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from final
