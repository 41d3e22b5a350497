{#- dbt.datediff on Spark as DuckDB counts it: the number of day, month, quarter or year boundaries between two
    dates or timestamps, as a bigint (the type DuckDB's has, so that contracts hold on both). dbt-spark's month
    count adds a boundary between two month ends (31 January to 29 February gives 2, DuckDB 1), and names each
    date six times, which nested calls multiply. Weeks and time units are dbt-spark's. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- set months_in = {'month': [1, 'MM'], 'quarter': [3, 'QUARTER'], 'year': [12, 'YEAR']} -%}
    {%- if datepart == 'day' -%}
        cast(datediff(cast({{ second_date }} as date), cast({{ first_date }} as date)) as bigint)
    {%- elif datepart in months_in -%}
        {%- set months, unit = months_in[datepart] -%}
        {#- months_between of two first days of a period is a whole number of months -#}
        cast(months_between(trunc({{ second_date }}, '{{ unit }}'), trunc({{ first_date }}, '{{ unit }}')) / {{ months }}
            as bigint)
    {%- else -%}
        cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
    {%- endif -%}
{%- endmacro %}
