{#- Every scenario a stress build runs, one row each: the names of the seed stress_scenarios and the var
    `what_if` as 'what-if' (int_stress_scenarios checks their rows). -#}
{% macro stress_scenario_names() %}
    select distinct
        scenario,
        false as is_what_if
    from {{ ref('stress_scenarios') }}
    union all
    select
        'what-if' as scenario,
        true as is_what_if
{% endmacro %}
