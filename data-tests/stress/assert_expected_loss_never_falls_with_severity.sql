-- Expected loss on the open book must not fall as a scenario gets more severe (severity_order of the seed
-- stress_scenarios); the what-if is not on that scale. Rows: each scenario that loses less than a milder one.

with

by_scenario as (
    select
        scenario,
        severity_order,
        sum(expected_loss) as expected_loss
    from {{ ref('stress_results') }}
    where not is_what_if
    group by scenario, severity_order
),

compared as (
    select
        scenario,
        severity_order,
        expected_loss,
        max(expected_loss) over (
            order by severity_order rows between unbounded preceding and 1 preceding
        ) as most_lost_by_a_milder_scenario
    from by_scenario
)

select * from compared
-- a relative tolerance for the order of a floating-point sum
where expected_loss < most_lost_by_a_milder_scenario * (1 - 1e-12)
