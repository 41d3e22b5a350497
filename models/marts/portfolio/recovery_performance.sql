-- How recovery went, per recommended strategy, borrower segment and collection method: outcomes of resolved
-- loans and the collection effort spent.

{%- set dimensions = ['strategy', 'segment_name', 'collection_method'] %}

with

loans as (
    select * from {{ ref('recovery_strategy') }}
),

grouped as (
    {%- for dimension in dimensions %}
    select
        '{{ dimension }}' as dimension,
        coalesce({{ dimension }}, 'Unknown') as dimension_value,
        *
    from loans
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        dimension,
        dimension_value,
        count(*) as loans,
        count(case when not is_open then 1 end) as resolved_loans,
        -- shares as doubles on every engine (Spark would average the decimal 1.0 into a 5-digit decimal)
        avg(cast(case when recovery_status = 'Fully Recovered' then 1 when not is_open then 0 end as double))
            as fully_recovered_rate,
        avg(cast(case when recovery_status = 'Written Off' then 1 when not is_open then 0 end as double))
            as written_off_rate,
        avg(collection_attempts) as avg_collection_attempts,
        avg(cast(case when is_legal_action_taken then 1 else 0 end as double)) as legal_action_rate,
        cast(sum(outstanding_loan_amount) as decimal(38, 2)) as outstanding_amount
    from grouped
    group by dimension, dimension_value
)

select * from final
