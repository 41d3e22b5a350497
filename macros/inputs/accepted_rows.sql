{#- The usable rows of a validated input (int_loans_validated, int_ledger_*_validated): those without a
    rejection reason. The one definition of "accepted"; rejected_rows holds the others. -#}
{% macro accepted_rows(validated, condition=none) -%}
    select * from {{ validated }}
    where rejection_reason is null{% if condition %} and {{ condition }}{% endif %}
{%- endmacro %}
