{#- Stops the build with one clear message when an input lacks columns the warehouse needs, naming the input
    and the missing columns, instead of a database error about the first unknown column. -#}
{% macro assert_has_columns(relation, expected_columns, input_label) %}
    {%- if execute -%}
        {%- set found = run_query('select * from ' ~ relation ~ ' limit 0').column_names -%}
        {%- set found_lower = found | map('lower') | list -%}
        {%- set missing = [] -%}
        {%- for column in expected_columns if column | lower not in found_lower -%}
            {%- do missing.append(column) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                input_label ~ " is missing column(s) " ~ missing | join(", ")
                ~ "; its columns are: " ~ found | join(", ")
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
