-- The roll-rate heatmap: the share of loans in each delinquency bucket at a month end that are in each bucket a
-- month later, and the cure rate back to Current.

with

roll_rates as (
    select * from {{ ref('roll_rates') }}
),

final as (
    select
        -- grain
        from_bucket,
        to_bucket,
        -- order
        from_bucket_order,
        to_bucket_order,
        -- rates
        transitions,
        roll_rate,
        cure_rate
    from roll_rates
)

select * from final
