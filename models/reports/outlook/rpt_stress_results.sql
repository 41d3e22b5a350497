-- The report's stress test chart: expected loss on the open book per scenario and loan type, with the change
-- against the baseline, and each scenario's totals (stress_results). Scenarios in severity order, the what-if last.

with

stress_results as (
    select * from {{ ref('stress_results') }}
),

by_loan_type as (
    select
        scenario,
        severity_order,
        is_what_if,
        loan_type,
        sum(open_loans) as open_loans,
        {{ order_free_sum('expected_loss') }} as expected_loss,
        {{ order_free_sum('expected_loss_change') }} as expected_loss_change,
        {{ order_free_sum('expected_defaults') }} as expected_defaults,
        {{ order_free_sum('npa_ratio * exposure_at_default') }} as projected_npa_amount,
        {{ order_free_sum('exposure_at_default') }} as exposure_at_default
    from stress_results
    group by scenario, severity_order, is_what_if, loan_type
),

final as (
    select
        -- grain
        scenario,
        loan_type,
        -- order: by severity, the what-if after every seeded scenario
        dense_rank() over (order by is_what_if asc, severity_order asc) as scenario_order,
        is_what_if,
        -- the loan type under the scenario
        open_loans,
        expected_loss,
        expected_loss_change,
        expected_defaults,
        -- the scenario's totals
        {{ order_free_sum('expected_loss', 'over (partition by scenario)') }} as scenario_expected_loss,
        {{ order_free_sum('expected_loss_change', 'over (partition by scenario)') }} as scenario_expected_loss_change,
        {{ order_free_sum('expected_defaults', 'over (partition by scenario)') }} as scenario_expected_defaults,
        {{ order_free_sum('projected_npa_amount', 'over (partition by scenario)') }}
        / nullif({{ order_free_sum('exposure_at_default', 'over (partition by scenario)') }}, 0) as scenario_npa_ratio
    from by_loan_type
)

select * from final
