-- One row per loan key: a fingerprint of every input row of the loan (loan file, and the ledger's orders, plan and
-- payments), its file position included. Any added, removed, moved or changed row changes it. Rows without a
-- Loan_ID or order_id share the key ''. Compared with the fingerprints of the last complete build by
-- int_loans_changed (macros/project/incremental/incremental_by_loan.sql), with the as-of date and whether the loan
-- is open in the ledger (its features then follow the as-of date).

{%- set inputs = [('loan_recovery', ref('stg_loan_recovery__loans'), loan_recovery_columns())] %}
{%- if ledger_is_present() %}
    {%- do inputs.extend([
        ('ledger_orders', ref('stg_ledger__orders'), ledger_orders_columns()),
        ('ledger_plan', ref('stg_ledger__plan'), ledger_plan_columns()),
        ('ledger_payments', ref('stg_ledger__payments'), ledger_payments_columns()),
    ]) %}
    {%- do assert_ledger_matches_loan_file(ref('stg_loan_recovery__loans'), ref('stg_ledger__orders')) %}
{%- endif %}

with

input_rows as (
    {%- for source_name, staged, columns in inputs %}
    select
        {{ loan_key('loan_id') }} as loan_key,
        hash(
            '{{ source_name }}',
            source_row_number,
            {{ columns | map(attribute='name') | join(', ') }},
            invalid_columns,
            missing_columns
        ) as row_hash,
        {%- if source_name == 'ledger_orders' %}
        closed_at is null as is_open_order
        {%- else %}
        false as is_open_order
        {%- endif %}
    from {{ staged }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        loan_key,
        bit_xor(row_hash) as input_fingerprint,
        bool_or(is_open_order) as is_open_in_ledger,
        '{{ loan_build_context() }}' as build_context,
        {{ date_var('as_of_date') }} as as_of_date
    from input_rows
    group by loan_key
)

select * from final
