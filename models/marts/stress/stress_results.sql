-- One row per stress scenario (and the what-if), loan type, borrower segment and risk band of the open loans:
-- expected loss, loans and amount expected to default, the NPA ratio they would make, and the change against
-- the baseline scenario.

with

losses as (
    select * from {{ ref('stress_loan_results') }}
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

by_group as (
    select
        scenario,
        severity_order,
        is_what_if,
        loan_type,
        segment_name,
        risk_band,
        count(*) as open_loans,
        {{ order_free_sum('exposure_at_default') }} as exposure_at_default,
        {{ order_free_sum('probability_of_default') }} as expected_defaults,
        {{ order_free_sum('probability_of_default * exposure_at_default') }} as expected_default_amount,
        {{ order_free_sum('expected_loss') }} as expected_loss,
        -- NPA today, plus what the loans performing today are expected to add
        {{ order_free_sum(
            'case when is_npa then exposure_at_default else probability_of_default * exposure_at_default end'
        ) }} as projected_npa_amount
    from losses
    group by scenario, severity_order, is_what_if, loan_type, segment_name, risk_band
),

baseline as (
    select * from by_group
    where scenario = 'baseline'
),

final as (
    select
        -- ids
        by_group.scenario,
        by_group.loan_type,
        by_group.segment_name,
        by_group.risk_band,
        -- order
        by_group.severity_order,
        by_group.is_what_if,
        cast(risk_bands.band_order as {{ dbt.type_int() }}) as band_order,
        -- book
        by_group.open_loans,
        by_group.exposure_at_default,
        -- under the scenario
        by_group.expected_defaults,
        by_group.expected_default_amount,
        by_group.expected_loss,
        by_group.projected_npa_amount / nullif(by_group.exposure_at_default, 0) as npa_ratio,
        -- against the baseline scenario
        baseline.expected_loss as baseline_expected_loss,
        by_group.expected_loss - baseline.expected_loss as expected_loss_change,
        by_group.expected_defaults - baseline.expected_defaults as expected_defaults_change,
        by_group.expected_default_amount - baseline.expected_default_amount as expected_default_amount_change,
        (by_group.projected_npa_amount - baseline.projected_npa_amount)
        / nullif(by_group.exposure_at_default, 0) as npa_ratio_change
    from by_group
    left join baseline
        on
            by_group.loan_type = baseline.loan_type
            and by_group.segment_name = baseline.segment_name
            and by_group.risk_band = baseline.risk_band
    left join risk_bands
        on by_group.risk_band = risk_bands.risk_band
)

select * from final
