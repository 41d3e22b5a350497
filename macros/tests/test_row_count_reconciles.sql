{#- Fails when the model's row count differs from the sum of the parts it was split into,
    e.g. input rows = accepted rows + rejected rows. Each part is a relation and an optional filter. -#}
{% test row_count_reconciles(model, parts) %}

with

counts as (
    select
        (select count(*) from {{ model }}) as input_rows,
        (
            {%- for part in parts %}
                (select count(*) from {{ part.relation }} where {{ part.get('where', 'true') }})
                {{- " +" if not loop.last }}
            {%- endfor %}
        ) as output_rows
)

select * from counts
where input_rows <> output_rows

{% endtest %}
