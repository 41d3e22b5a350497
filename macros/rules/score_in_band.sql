{#- True when a score falls inside a risk band row (min/max bounds with their own inclusiveness),
    so the band edges live in the risk_bands seed and not in CASE literals. -#}
{% macro score_in_band(score, band) -%}
    ({{ score }} > {{ band }}.min_score or ({{ band }}.is_min_inclusive and {{ score }} = {{ band }}.min_score))
    and ({{ score }} < {{ band }}.max_score or ({{ band }}.is_max_inclusive and {{ score }} = {{ band }}.max_score))
{%- endmacro %}
