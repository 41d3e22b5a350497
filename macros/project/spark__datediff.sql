{#- dbt-spark's datediff returns an int where DuckDB's returns a bigint: a bigint on both, so that the columns built
    on it keep one contract type. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.spark__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}
