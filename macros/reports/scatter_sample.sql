{#- A fixed sample of a loan-level relation for a scatter plot: ordering by a hash of loan_id picks the same loans on
    every build, unlike a random sample; 5,000 points show the shape and keep the report light at 1M loans. -#}
{% macro scatter_sample(relation) -%}
    select * from {{ relation }}
    order by hash(loan_id)
    limit 5000
{%- endmacro %}
