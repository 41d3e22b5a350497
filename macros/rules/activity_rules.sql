{#- The one definition of an active loan, for the loan file and the ledger alike: a loan is active at a date while
    it has no outcome by then (the loan file: no recovery status; the ledger: no closing date on or before it). -#}
{% macro is_active_loan(recovery_status=none, closed_at=none, at=none) -%}
    {%- if recovery_status is not none -%}
        ({{ recovery_status }} is null)
    {%- else -%}
        ({{ closed_at }} is null or {{ closed_at }} > {{ at }})
    {%- endif -%}
{%- endmacro %}

{#- The one definition of an overdue loan: an active loan at least one day past due. -#}
{% macro is_overdue_loan(is_active, days_past_due) -%}
    ({{ is_active }} and {{ days_past_due }} > 0)
{%- endmacro %}
