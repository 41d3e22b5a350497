{#- The 1-based position of each row of an input relation in its file, for source_row_number. DuckDB numbers a
    file scan in file order; Spark needs an order, and monotonically_increasing_id() follows the file's splits in
    order (partition index, then position in the split). A bigint on both engines. -#}
{% macro file_row_number() -%}
    {{ return(adapter.dispatch('file_row_number', 'loan_recovery')()) }}
{%- endmacro %}

{% macro default__file_row_number() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__file_row_number() -%}
    cast(row_number() over (order by monotonically_increasing_id()) as bigint)
{%- endmacro %}
