{#- Turns a CTE of checked rows (with `row_problems`, null when none) into the final rows with
    `rejection_reason`: the row's problems, or, for a usable row whose key was already used by an earlier usable
    row, a duplicate notice. Later copies are rejected, never merged. -#}
{% macro rejection_reason_ctes(checked_cte, key_columns, key_label) %}
    deduplicated as (
        select
            *,
            row_number() over (
                partition by {{ key_columns | join(', ') }}, row_problems is null order by source_row_number
            ) as usable_occurrence,
            min(source_row_number) over (
                partition by {{ key_columns | join(', ') }}, row_problems is null
            ) as first_usable_row_number
        from {{ checked_cte }}
    ),

    final as (
        select
            *,
            case
                when row_problems is not null then row_problems
                when usable_occurrence > 1
                    then 'duplicate {{ key_label }} (row '
                    || cast(first_usable_row_number as {{ dbt.type_string() }}) || ' kept)'
            end as rejection_reason
        from deduplicated
    )
{% endmacro %}
