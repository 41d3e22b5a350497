-- Open loans per segment and risk band, their share of the segment's open loans, and the band's strategy.

with

loans as (
    select * from {{ ref('recovery_strategy') }}
    -- open loans only: a strategy is work, and a resolved loan is no longer work
    where is_open
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

counted as (
    select
        segment_name,
        risk_band,
        count(*) as loans
    from loans
    group by segment_name, risk_band
),

final as (
    select
        -- grain
        counted.segment_name,
        counted.risk_band,
        -- band
        risk_bands.band_order,
        risk_bands.strategy,
        -- counts
        counted.loans,
        counted.loans / sum(counted.loans) over (partition by counted.segment_name) as share_of_segment
    from counted
    inner join risk_bands on counted.risk_band = risk_bands.risk_band
)

select * from final
