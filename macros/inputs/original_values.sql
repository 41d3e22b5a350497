{#- A row's original values, so a rejected row keeps everything it arrived with: first as a struct of text keyed by
    the file's column names (original_values, cheap to carry through a filter), then as one JSON text
    (original_values_json). Every column is a key, null ones included (Spark's to_json leaves nulls out unless
    told not to), so the JSON of a row is the same text on DuckDB and Spark. -#}
{% macro original_values(columns) -%}
    {{ return(adapter.dispatch('original_values', 'loan_recovery')(columns)) }}
{%- endmacro %}

{% macro duckdb__original_values(columns) -%}
    struct_pack(
        {%- for column in columns %}
            {{ adapter.quote(column) }} := cast({{ adapter.quote(column) }} as varchar){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro spark__original_values(columns) -%}
    named_struct(
        {%- for column in columns %}
            '{{ column }}', cast({{ adapter.quote(column) }} as string){{ "," if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{% macro original_values_json(original_values) -%}
    {{ return(adapter.dispatch('original_values_json', 'loan_recovery')(original_values)) }}
{%- endmacro %}

{% macro duckdb__original_values_json(original_values) -%}
    cast(to_json({{ original_values }}) as varchar)
{%- endmacro %}

{% macro spark__original_values_json(original_values) -%}
    to_json({{ original_values }}, map('ignoreNullFields', 'false'))
{%- endmacro %}
