{#- A var that reaches SQL as a number is checked here first: a wrong value stops the build with a message
    naming the var, and only a number is ever written into SQL. -#}
{% macro number_var(name, min_value, max_value) -%}
    {%- set raw = var(name) -%}
    {%- set value = raw | float(default=none) -%}
    {%- if value is none or value < min_value or value > max_value -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a number between " ~ min_value ~ " and " ~ max_value ~ ", got '" ~ raw ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- A var holding a date (YYYY-MM-DD), checked and written into SQL as a date literal. -#}
{% macro date_var(name) -%}
    {%- set value = var(name) | string -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be a date as YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{%- endmacro %}
