{#- dbt-spark's safe_cast is a plain cast, which is null on bad text only while ANSI mode is off (dbt-spark turns
    it off; Spark 4 has it on by default). try_cast is null on bad text in either mode, as on DuckDB. -#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
