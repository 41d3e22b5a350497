{#- One setting of the var `what_if` (a mapping; a key left out is no change). Numbers are checked here, so that
    only a number is ever written into SQL, and text comes with its quotes doubled for a SQL literal; an unknown
    key stops the build naming it. -#}
{% macro what_if_value(key) -%}
    {%- set defaults = {
        'income_change': 0,
        'unemployment_share': 0,
        'unemployed_income_change': -1,
        'collateral_change': 0,
        'pd_multiplier': 1,
        'loan_type': '',
        'segment': '',
    } -%}
    {%- set bounds = {
        'income_change': (-1, 100),
        'unemployment_share': (0, 1),
        'unemployed_income_change': (-1, 100),
        'collateral_change': (-1, 100),
        'pd_multiplier': (0, 1000),
    } -%}
    {%- set what_if = var('what_if') or {} -%}
    {%- if what_if is not mapping -%}
        {{ exceptions.raise_compiler_error("var 'what_if' must be a mapping such as {income_change: 0.2}, got '" ~ what_if ~ "'") }}
    {%- endif -%}
    {%- set unknown = what_if.keys() | reject('in', defaults.keys()) | list -%}
    {%- if unknown -%}
        {{ exceptions.raise_compiler_error(
            "var 'what_if' has unknown key(s) " ~ unknown | join(", ") ~ "; it accepts " ~ defaults.keys() | join(", ")
        ) }}
    {%- endif -%}
    {%- set raw = what_if.get(key, defaults[key]) -%}
    {%- if key not in bounds -%}
        {#- text goes into a SQL literal: its quotes doubled -#}
        {{ return(raw | string | replace("'", "''")) }}
    {%- endif -%}
    {%- set value = raw | float(default=none) -%}
    {%- if value is none or value < bounds[key][0] or value > bounds[key][1] -%}
        {{ exceptions.raise_compiler_error(
            "var 'what_if' key '" ~ key ~ "' must be a number between " ~ bounds[key][0] ~ " and " ~ bounds[key][1]
            ~ ", got '" ~ raw ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- True for every row when `problems` (a text expression) is null; otherwise the query stops with that text as
    its error: a model that validates its inputs fails with one message naming the bad rows. -#}
{% macro stop_on_problems(problems) -%}
    {{ return(adapter.dispatch('stop_on_problems', 'loan_recovery')(problems)) }}
{%- endmacro %}

{% macro default__stop_on_problems(problems) -%}
    case when {{ problems }} is null then true else error({{ problems }}) end
{%- endmacro %}

{% macro spark__stop_on_problems(problems) -%}
    case when {{ problems }} is null then true else raise_error({{ problems }}) is null end
{%- endmacro %}
