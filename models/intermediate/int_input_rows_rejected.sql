-- Input rows the warehouse could not use, with why and with their original values, for the mart rejected_rows.
-- The reasons come from the validated models; the original values from each input's ephemeral `_originals` staging
-- model, which reads the file again and builds the JSON for the rejected rows only.

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
{{ source_name }}_rejected as (
    select
        source_row_number,
        loan_id,
        rejection_reason
    from {{ ref(validated_model) }}
    where rejection_reason is not null
),

{{ source_name }}_originals as (
    select
        source_row_number,
        original_values
    from {{ ref(staging_model ~ '_originals') }}
    where source_row_number in (select rejected.source_row_number from {{ source_name }}_rejected as rejected)
),

{{ source_name }}_rows as (
    select
        -- lineage
        '{{ source_name }}' as source_name,
        staged.source_file,
        rejected.source_row_number,
        -- ids
        rejected.loan_id,
        -- problem
        rejected.rejection_reason,
        -- JSON built after the filter above: for the rejected rows only
        {{ original_values_json('originals.original_values') }} as raw_record
    from {{ source_name }}_rejected as rejected
    inner join {{ ref(staging_model) }} as staged
        on rejected.source_row_number = staged.source_row_number
    inner join {{ source_name }}_originals as originals
        on rejected.source_row_number = originals.source_row_number
),

{% endfor -%}

final as (
    {%- for source_name, _, _ in inputs %}
    select * from {{ source_name }}_rows
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select * from final
