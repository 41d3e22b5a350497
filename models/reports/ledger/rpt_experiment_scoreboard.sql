-- The champion/challenger scoreboard: experiment_results as it stands, one row per experiment and arm.

with

results as (
    select * from {{ ref('experiment_results') }}
),

final as (
    select
        -- grain
        experiment_id,
        arm,
        arm_policy,
        -- window
        measured_from,
        measured_to,
        -- the arm
        loans,
        recovered_per_loan,
        recovered_per_unit_exposure,
        cure_rate,
        total_cost,
        net_value_per_loan,
        -- the comparison
        net_value_difference,
        difference_ci_low,
        difference_ci_high,
        is_conclusive,
        conclusion
    from results
)

select * from final
