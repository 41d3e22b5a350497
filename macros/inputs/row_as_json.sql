{#- The original values of a row as one JSON text, so a rejected row keeps everything it arrived with.
    Every column is a key, null ones included (Spark's to_json leaves nulls out unless told not to), so the JSON
    of a row is the same text on DuckDB and Spark. -#}
{% macro row_as_json(columns) -%}
    {{ return(adapter.dispatch('row_as_json', 'loan_recovery')(columns)) }}
{%- endmacro %}

{% macro duckdb__row_as_json(columns) -%}
    cast(to_json(struct_pack(
        {%- for column in columns %}
            {{ adapter.quote(column) }} := cast({{ adapter.quote(column) }} as varchar){{ "," if not loop.last }}
        {%- endfor %}
    )) as varchar)
{%- endmacro %}

{% macro spark__row_as_json(columns) -%}
    to_json(named_struct(
        {%- for column in columns %}
            '{{ column }}', cast({{ adapter.quote(column) }} as string){{ "," if not loop.last }}
        {%- endfor %}
    ), map('ignoreNullFields', 'false'))
{%- endmacro %}
