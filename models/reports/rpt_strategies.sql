-- Open loans and their outstanding exposure per recovery strategy, with their shares of the open book.

with

loans as (
    select * from {{ ref('recovery_strategy') }}
    -- open loans only: a strategy is work, and a resolved loan is no longer work
    where is_open
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

by_band as (
    select
        risk_band,
        count(*) as loans,
        sum(outstanding_loan_amount) as exposure
    from loans
    group by risk_band
),

final as (
    select
        -- grain
        risk_bands.strategy,
        risk_bands.risk_band,
        risk_bands.band_order,
        -- counts and amounts
        by_band.loans,
        by_band.exposure,
        -- shares
        by_band.loans / sum(by_band.loans) over () as share_of_loans,
        by_band.exposure / sum(by_band.exposure) over () as share_of_exposure
    from by_band
    inner join risk_bands on by_band.risk_band = risk_bands.risk_band
)

select * from final
