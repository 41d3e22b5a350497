{#- Turns a CTE of checked rows (with `row_problems`, null when none) into the final rows with
    `rejection_reason`: the row's problems, or, for a usable row whose key was already used by an earlier usable
    row, a duplicate notice. Later copies are rejected, never merged. The repeated keys are found by grouping,
    not by a window over every row: on tens of millions of plan rows a window's sort costs several times more. -#}
{% macro rejection_reason_ctes(checked_cte, key_columns, key_label) %}
    repeated_keys as (
        select
            {{ key_columns | join(', ') }},
            min(source_row_number) as first_usable_row_number
        from {{ checked_cte }}
        where row_problems is null
        group by {{ key_columns | join(', ') }}
        having count(*) > 1
    ),

    final as (
        select
            {{ checked_cte }}.*,
            case
                when {{ checked_cte }}.row_problems is not null then {{ checked_cte }}.row_problems
                when {{ checked_cte }}.source_row_number > repeated_keys.first_usable_row_number
                    then 'duplicate {{ key_label }} (row '
                    || cast(repeated_keys.first_usable_row_number as {{ dbt.type_string() }}) || ' kept)'
            end as rejection_reason
        from {{ checked_cte }}
        left join repeated_keys
            on
            {%- for column in key_columns %}
                {% if not loop.first %}and {% endif %}{{ checked_cte }}.{{ column }} = repeated_keys.{{ column }}
            {%- endfor %}
    )
{% endmacro %}
