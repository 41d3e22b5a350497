{#- Contracts name text columns `varchar`, which DuckDB takes as is and Spark only with a length; dbt builds a
    contract's empty schema with dbt.cast, so on Spark an unsized varchar is cast as string, Spark's text type. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ 'string' if type | trim | lower == 'varchar' else type }})
{%- endmacro %}
