{#- Stops the build with one clear message when an input file does not exist, lacks columns the warehouse needs
    or has no data rows, naming the input and the problem, instead of a database error about the first unknown
    column or a model failing later on an empty table. -#}
{% macro assert_usable_input(relation, expected_columns, input_label, file_path) %}
    {#- A unit test's given rows stand in for the input as a CTE, which needs no check. -#}
    {%- if execute and not (relation | string).startswith('__dbt__cte__') -%}
        {%- if not input_file_exists(file_path) -%}
            {{ exceptions.raise_compiler_error(input_label ~ " does not exist") }}
        {%- endif -%}
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
        {%- if run_query('select 1 from ' ~ relation ~ ' limit 1').rows | length == 0 -%}
            {{ exceptions.raise_compiler_error(input_label ~ " has no data rows, only a header") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
