{#- Fails on rows whose column holds a value the ML var `var_name` does not accept; nulls pass. The accepted values
    are the ml package's (ml.var_choices), read as validate_vars reads them: no copy of the list here. -#}
{% test accepted_ml_var_value(model, column_name, var_name) %}

select *
from {{ model }}
where
    {{ column_name }} not in (
        select choices.accepted_value
        from ({{ ml_var_choices() }}) as choices
        where choices.var_name = '{{ var_name }}'
    )

{% endtest %}
