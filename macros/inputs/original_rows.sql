{#- Every row of an input with its original values (`original_values`, a struct of text keyed by the file's column
    names), by `source_row_number`: the body of an ephemeral `_originals` staging model. int_input_rows_rejected
    keeps the rejected rows and only then turns their values into JSON, so no accepted row's JSON is built. -#}
{% macro original_rows(relation, columns) -%}
    select
        numbered.source_row_number,
        {{ original_values(columns | rejectattr('present', 'false') | map(attribute='source') | unique | list) }}
        as original_values
    from ({{ rows_in_file_order(relation) }}) as numbered
{%- endmacro %}
