{#- The original values of a row as one JSON text, so a rejected row keeps everything it arrived with.
    Dispatched so that another adapter can add its own JSON builder next to the DuckDB one. -#}
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
