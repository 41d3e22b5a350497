{#- dbt-spark's last_day is dbt's default (truncate, add a month, subtract a day) over its dateadd, which names the
    date several times; Spark's own last_day gives a month's last day as a date, as DuckDB's does. -#}
{% macro spark__last_day(date, datepart) -%}
    {%- if datepart == 'month' -%}
        last_day({{ date }})
    {%- else -%}
        {{ dbt.default_last_day(date, datepart) }}
    {%- endif -%}
{%- endmacro %}
