{#- Age band label from the var fairness_age_band_edges (lower edges of every band after the first):
    with [25, 35] the bands are "under 25", "25-34" and "35+"; a missing age is "unknown". -#}
{% macro fairness_age_band(age) -%}
    {%- set edges = var('fairness_age_band_edges') | map('int') | list -%}
    case
        when {{ age }} is null then 'unknown'
        when {{ age }} < {{ edges[0] }} then 'under {{ edges[0] }}'
        {%- for edge in edges[1:] %}
        when {{ age }} < {{ edge }} then '{{ edges[loop.index0] }}-{{ edge - 1 }}'
        {%- endfor %}
        else '{{ edges[-1] }}+'
    end
{%- endmacro %}
