-- Calibration of the score that drives the strategies: predicted vs observed rate per score decile.

with

score_calibration as (
    select * from {{ ref('score_calibration') }}
),

final as (
    select
        -- grain
        score_decile,
        -- fit
        algorithm,
        -- calibration
        n_loans,
        mean_predicted,
        observed_rate,
        calibration_gap
    from score_calibration
    where is_selected
)

select * from final
