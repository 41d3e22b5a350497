{#- Every row of an input relation, numbered in file order, with each column parsed per its spec (see
    macros/input_formats.sql), the columns whose value could not be read (`invalid_columns`), the required
    columns left empty (`missing_columns`) and the original values as JSON (`raw_record`). Nothing is dropped. -#}
{% macro parsed_input(relation, columns) %}
    with

    numbered as (
        select
            row_number() over () as source_row_number,
            *
        from {{ relation }}
    ),

    cleaned as (
        select
            source_row_number,
            {%- for column in columns %}
                {{ clean_text(adapter.quote(column.source)) }} as {{ column.name }}_text,
            {%- endfor %}
            {{ row_as_json(columns | map(attribute='source') | list) }} as raw_record
        from numbered
    ),

    typed as (
        select
            source_row_number,
            {%- for column in columns %}
                {{ parse_column(column.name ~ '_text', column) }} as {{ column.name }},
                {{ column.name }}_text,
            {%- endfor %}
            raw_record
        from cleaned
    )

    select
        source_row_number,
        {%- for column in columns %}
            {{ column.name }},
        {%- endfor %}
        nullif(concat_ws(', '
            {%- for column in columns %},
                case
                    when {{ column.name }}_text is not null and {{ column.name }} is null then '{{ column.source }}'
                end
            {%- endfor %}
        ), '') as invalid_columns,
        nullif(concat_ws(', '
            {%- for column in columns if column.required %},
                case when {{ column.name }}_text is null then '{{ column.source }}' end
            {%- endfor %}
        ), '') as missing_columns,
        raw_record
    from typed
{% endmacro %}
