{#- Turning raw text from a loan file into typed values. Every parser returns null for text it cannot
    read, so the staging model can list the columns that failed instead of stopping the build. -#}

{% macro clean_text(column) -%}
    case
        when lower(trim(cast({{ column }} as {{ dbt.type_string() }}))) in ('', 'na', 'n/a', 'null', 'none', 'nan')
            then null
        else trim(cast({{ column }} as {{ dbt.type_string() }}))
    end
{%- endmacro %}

{% macro parse_amount(text) -%}
    {{ dbt.safe_cast(text, 'decimal(18, 2)') }}
{%- endmacro %}

{% macro parse_rate(text) -%}
    {{ dbt.safe_cast(text, 'decimal(9, 4)') }}
{%- endmacro %}

{#- Counts may arrive as "3" or "3.0" (Parquet from pandas); "3.5" is not a count. -#}
{% macro parse_count(text) -%}
    case
        when {{ dbt.safe_cast(text, dbt.type_float()) }} = floor({{ dbt.safe_cast(text, dbt.type_float()) }})
            then cast({{ dbt.safe_cast(text, dbt.type_float()) }} as {{ dbt.type_int() }})
    end
{%- endmacro %}

{#- The key on which a category is matched to the seed input_categories: case, spaces, hyphens and underscores
    are ignored ("on time", "ON_TIME" -> "On-Time"). Text that matches no category becomes null and is reported
    as an invalid value. -#}
{% macro category_key(text) -%}
    replace(replace(replace(lower({{ text }}), ' ', ''), '-', ''), '_', '')
{%- endmacro %}

{% macro parse_flag(text) -%}
    case
        when lower({{ text }}) in ('yes', 'y', 'true', '1') then true
        when lower({{ text }}) in ('no', 'n', 'false', '0') then false
    end
{%- endmacro %}

{#- Dispatches on a column spec's `parse` kind (see macros/inputs/input_formats.sql); categories are matched by a join
    in parsed_input. -#}
{% macro parse_column(text, column) -%}
    {%- if column.parse == 'text' -%} {{ text }}
    {%- elif column.parse == 'count' -%} {{ parse_count(text) }}
    {%- elif column.parse == 'amount' -%} {{ parse_amount(text) }}
    {%- elif column.parse == 'rate' -%} {{ parse_rate(text) }}
    {%- elif column.parse == 'number' -%} {{ dbt.safe_cast(text, dbt.type_float()) }}
    {%- elif column.parse == 'flag' -%} {{ parse_flag(text) }}
    {%- elif column.parse == 'timestamp' -%} {{ dbt.safe_cast(text, dbt.type_timestamp()) }}
    {%- elif column.parse == 'date' -%} {{ dbt.safe_cast(text, 'date') }}
    {%- endif -%}
{%- endmacro %}

{#- Whether a column's input type already holds what its parser wants, so the text round trip can be skipped:
    numbers for amounts, rates and counts, dates or timestamps for timestamps, dates for dates. -#}
{% macro is_typed_as_parsed(input_type, parse) -%}
    {%- set input_type = input_type | upper -%}
    {%- set is_number = input_type in ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT',
        'USMALLINT', 'UINTEGER', 'UBIGINT', 'FLOAT', 'DOUBLE') or input_type.startswith('DECIMAL') -%}
    {{ return(
        (parse in ('amount', 'rate', 'count', 'number') and is_number)
        or (parse == 'timestamp' and input_type in ('DATE', 'TIMESTAMP'))
        or (parse == 'date' and input_type == 'DATE')
    ) }}
{%- endmacro %}

{#- A typed input value, null when missing; a floating-point NaN is missing, as the text "nan" is. -#}
{% macro typed_value(column, input_type) -%}
    {%- if input_type | upper in ('FLOAT', 'DOUBLE') -%}
        case when not isnan({{ column }}) then {{ column }} end
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{#- Lower-cased column name -> type name of an input relation, read when the model compiles. An adapter
    without an implementation gets {}: every column then takes the text path, which is correct, only slower. -#}
{% macro input_column_types(relation) -%}
    {{ return(adapter.dispatch('input_column_types', 'loan_recovery')(relation)) }}
{%- endmacro %}

{% macro default__input_column_types(relation) -%}
    {{ return({}) }}
{%- endmacro %}

{% macro duckdb__input_column_types(relation) -%}
    {%- set types = {} -%}
    {#- A unit test's given rows stand in for the input as a CTE, which cannot be described: text path. -#}
    {%- if execute and not (relation | string).startswith('__dbt__cte__') -%}
        {%- for row in run_query('describe select * from ' ~ relation) -%}
            {%- do types.update({row['column_name'] | lower: row['column_type']}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(types) }}
{%- endmacro %}
