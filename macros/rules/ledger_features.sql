{#- A model input that the ledger gives at an observation point, the one definition loan_features and
    loan_observations share. `position` is the alias of a row of repayment positions (outstanding_amount,
    missed_instalments, days_past_due, paid_to_date, planned_to_date, issued_amount, days_since_last_payment; all
    null without a ledger), `loan` the alias of the loan's validated row, whose undated snapshot values stand in
    when there is no ledger. -#}
{% macro ledger_feature(name, position, loan) -%}
    {%- set outstanding = 'coalesce(' ~ position ~ '.outstanding_amount, ' ~ loan ~ '.outstanding_loan_amount)' -%}
    {%- if name == 'outstanding_loan_amount' -%}
        cast({{ outstanding }} as decimal(18, 2))
    {%- elif name == 'num_missed_payments' -%}
        cast(coalesce({{ position }}.missed_instalments, {{ loan }}.num_missed_payments) as {{ dbt.type_int() }})
    {%- elif name == 'days_past_due' -%}
        cast(coalesce({{ position }}.days_past_due, {{ loan }}.days_past_due) as {{ dbt.type_int() }})
    {%- elif name == 'outstanding_share' -%}
        {#- divided as doubles: the same bits on every engine (Spark would divide the decimals, then round) #}
        cast({{ outstanding }} as double) / {{ loan }}.loan_amount
    {%- elif name == 'paid_to_plan_ratio' -%}
        cast({{ position }}.paid_to_date as double) / nullif({{ position }}.planned_to_date, 0)
    {%- elif name == 'payment_gap_share' -%}
        cast({{ position }}.planned_to_date - {{ position }}.paid_to_date as double) / {{ position }}.issued_amount
    {%- elif name == 'days_since_last_payment' -%}
        {{ position }}.days_since_last_payment
    {%- else -%}
        {{ exceptions.raise_compiler_error('ledger_feature: no ledger feature named ' ~ name) }}
    {%- endif -%}
{%- endmacro %}

{#- The repayment position columns ledger_feature reads, all null: a loan's position where there is no ledger
    (loan_features and loan_observations without one), so that the loan file's values stand in. -#}
{% macro no_ledger_position() -%}
    cast(null as decimal(18, 2)) as issued_amount,
    cast(null as decimal(38, 2)) as planned_to_date,
    cast(null as decimal(38, 2)) as paid_to_date,
    cast(null as decimal(38, 2)) as outstanding_amount,
    cast(null as {{ dbt.type_bigint() }}) as missed_instalments,
    cast(null as {{ dbt.type_bigint() }}) as days_past_due,
    cast(null as {{ dbt.type_bigint() }}) as days_since_last_payment
{%- endmacro %}
