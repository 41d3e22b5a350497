{#- Every row of an input relation, numbered in file order, with each column parsed per its spec (see
    macros/inputs/input_formats.sql; categories matched to the seed input_categories), the columns whose value
    could not be read (`invalid_columns`) and the required columns left empty (`missing_columns`). Nothing is
    dropped. A rejected row's original values are read again from the file, for rejected rows only (original_rows).
    A spec may carry `present` (false: the file lacks the column, which is empty; macros/inputs/column_map.sql),
    `values` (a value map applied to the text) and `warehouse` (the column's name in input_categories).
    Text is cleaned before parsing; a column that arrives already typed as its spec wants (Parquet numbers and
    dates) is parsed from its value directly, which on tens of millions of rows is several times faster. -#}
{% macro parsed_input(relation, columns) %}
    {%- set types = input_column_types(relation) %}
    with

    numbered as (
        {{ rows_in_file_order(relation) }}
    ),

    cleaned as (
        select
            {%- for column in columns %}
                {%- if column.present is defined and not column.present %}
                cast(null as {{ dbt.type_string() }}) as {{ column.name }}_given,
                {%- elif column.get('values') %}
                {{ mapped_text(column) }} as {{ column.name }}_given,
                {%- elif is_typed_as_parsed(types.get(column.source | lower, ''), column.parse) %}
                {{ typed_value(adapter.quote(column.source), types[column.source | lower]) }} as {{ column.name }}_given,
                {%- else %}
                {{ clean_text(adapter.quote(column.source)) }} as {{ column.name }}_given,
                {%- endif %}
            {%- endfor %}
            source_row_number
        from numbered
    ),

    {%- set categories = columns | selectattr('parse', 'equalto', 'category') | list %}
    {%- if categories %}

    categories as (
        select
            source_column,
            category,
            {{ category_key('category') }} as match_key
        from {{ ref('input_categories') }}
    ),
    {%- endif %}

    typed as (
        select
            cleaned.source_row_number,
            {%- for column in columns %}
                {%- if column.parse == 'category' %}
                {{ column.name }}_category.category as {{ column.name }},
                {%- else %}
                {{ parse_column('cleaned.' ~ column.name ~ '_given', column) }} as {{ column.name }},
                {%- endif %}
                cleaned.{{ column.name }}_given{{ "," if not loop.last }}
            {%- endfor %}
        from cleaned
        {%- for column in categories %}
        left join categories as {{ column.name }}_category
            on
                {{ column.name }}_category.source_column = '{{ column.warehouse | default(column.source) }}'
                and {{ column.name }}_category.match_key = {{ category_key('cleaned.' ~ column.name ~ '_given') }}
        {%- endfor %}
    )

    select
        source_row_number,
        {%- for column in columns %}
            {{ column.name }},
        {%- endfor %}
        nullif(concat_ws(', '
            {%- for column in columns %},
                case
                    when {{ column.name }}_given is not null and {{ column.name }} is null then '{{ column.source }}'
                end
            {%- endfor %}
        ), '') as invalid_columns,
        nullif(concat_ws(', '
            {%- for column in columns if column.required and column.present is not false %},
                case when {{ column.name }}_given is null then '{{ column.source }}' end
            {%- endfor %}
        ), '') as missing_columns
    from typed
{% endmacro %}
