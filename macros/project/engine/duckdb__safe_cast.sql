{#- dbt-duckdb does not override dbt.safe_cast, whose default is a plain cast that stops the build on the first bad
    value. DuckDB's try_cast returns null instead, which the staging model needs to report bad values row by row. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
