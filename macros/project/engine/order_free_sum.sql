{#- The sum of a double expression, to the same bits whatever order its rows are added in: each value rounded to
    nine decimals and added as a decimal (exactly), the total turned back into a double. A plain sum of doubles
    depends on that order, which DuckDB's threads and a table's storage order change from build to build, so
    two fresh builds would differ in the last bits. `over` makes it a window function (an `over (...)` clause). -#}
{% macro order_free_sum(expression, over='') -%}
    cast(sum(cast({{ expression }} as decimal(38, 9))) {{ over }} as double)
{%- endmacro %}
