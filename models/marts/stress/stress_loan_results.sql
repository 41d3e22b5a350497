-- One row per open loan and stress scenario (and the what-if): the probability of default the risk model in use
-- gives the loan under the scenario's shocks, times the scenario's PD multiplier (capped at 1), and the expected
-- loss with the collateral at its stressed value, computed as loan_portfolio computes today's.

with

stressed as (
    select * from {{ ref('int_loans_stressed') }}
),

loans as (
    select * from {{ ref('loan_portfolio') }}
    where is_open
),

multipliers as (
    select * from {{ ref('int_stress_pd_multipliers') }}
),

loss_severity as (
    select * from {{ ref('int_loan_types_loss_severity') }}
),

loss_inputs as (
    select
        stressed.scenario,
        cast(stressed.severity_order as {{ dbt.type_int() }}) as severity_order,
        stressed.is_what_if,
        loans.loan_id,
        loans.loan_type,
        loans.segment_name,
        loans.risk_band,
        loans.is_npa,
        stressed.is_in_scope,
        stressed.is_unemployed,
        stressed.model_probability_of_default,
        case when stressed.is_in_scope then multipliers.pd_multiplier else 1 end as pd_multiplier,
        loans.exposure_at_default,
        cast({{ secured_recovery_amount('stressed.stressed_collateral_value', 'loans.exposure_at_default') }}
            as double) as secured_recovery_amount,
        loss_severity.unsecured_loss_severity
    from stressed
    inner join loans
        on stressed.loan_id = loans.loan_id
    left join multipliers
        on
            stressed.scenario = multipliers.scenario
            and loans.risk_band = multipliers.risk_band
    left join loss_severity
        on loans.loan_type = loss_severity.loan_type
),

final as (
    select
        -- ids
        scenario,
        loan_id,
        -- scenario
        severity_order,
        is_what_if,
        is_in_scope,
        is_unemployed,
        -- dimensions
        loan_type,
        segment_name,
        risk_band,
        is_npa,
        -- credit risk under the scenario
        model_probability_of_default,
        pd_multiplier,
        least(model_probability_of_default * pd_multiplier, 1) as probability_of_default,
        exposure_at_default,
        secured_recovery_amount,
        {{ loss_given_default('exposure_at_default', 'secured_recovery_amount', 'unsecured_loss_severity') }}
            as loss_given_default,
        least(model_probability_of_default * pd_multiplier, 1)
        * (exposure_at_default - secured_recovery_amount)
        * unsecured_loss_severity as expected_loss
    from loss_inputs
)

select * from final
