-- One row per open loan and collection action: whether the loan is eligible for the action, and the action's
-- expected value. With PD the calibrated risk score, EAD the outstanding amount and LGD as in loan_portfolio
-- (the same macros), the action lowers PD by its assumed relative effect r for the loan's risk band:
--   PD under the action         = PD x (1 - r)
--   expected recovered amount   = EAD x (1 - PD x (1 - r) x LGD)
--   expected value              = expected recovered amount - cost per loan
--   value over no action        = expected value - EAD x (1 - PD x LGD) = PD x r x LGD x EAD - cost

with

loans as (
    {{ accepted_rows(ref('int_loans_validated'), 'is_open') }}
),

scores as (
    select * from {{ ref('risk_scores') }}
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

loss_severity as (
    select * from {{ ref('int_loan_types_loss_severity') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

effects as (
    select * from {{ ref('collection_action_effects') }}
),

open_loans as (
    select
        loans.loan_id,
        loans.days_past_due,
        risk_bands.risk_band,
        scores.risk_score as probability_of_default,
        cast(loans.outstanding_loan_amount as double) as exposure_at_default,
        cast({{ secured_recovery_amount('loans.collateral_value', 'loans.outstanding_loan_amount') }}
            as double) as secured_recovery_amount,
        loss_severity.unsecured_loss_severity
    from loans
    inner join scores
        on loans.loan_id = scores.loan_id
    left join risk_bands
        on {{ score_in_band('scores.risk_score', 'risk_bands') }}
    left join loss_severity
        on loans.loan_type = loss_severity.loan_type
),

with_loss as (
    select
        *,
        {{ loss_given_default('exposure_at_default', 'secured_recovery_amount', 'unsecured_loss_severity') }}
            as loss_given_default
    from open_loans
),

loan_actions as (
    select
        with_loss.*,
        actions.action,
        actions.action_order,
        actions.team,
        cast(actions.cost_per_loan as double) as cost_per_loan,
        coalesce(effects.pd_reduction, 0) as pd_reduction,
        with_loss.days_past_due >= actions.min_days_past_due
        and (actions.max_days_past_due is null or with_loss.days_past_due <= actions.max_days_past_due)
        and with_loss.exposure_at_default >= actions.min_exposure as is_eligible
    from with_loss
    cross join actions
    left join effects
        on actions.action = effects.action
        and with_loss.risk_band = effects.risk_band
),

valued as (
    select
        *,
        exposure_at_default * (1 - probability_of_default * (1 - pd_reduction) * loss_given_default)
            as expected_recovered_amount
    from loan_actions
),

final as (
    select
        -- grain
        loan_id,
        action,
        -- the action
        action_order,
        team,
        is_eligible,
        -- the loan
        risk_band,
        days_past_due,
        probability_of_default,
        exposure_at_default,
        loss_given_default,
        -- value
        pd_reduction,
        probability_of_default * (1 - pd_reduction) as probability_of_default_under_action,
        expected_recovered_amount,
        cost_per_loan,
        expected_recovered_amount - cost_per_loan as expected_value,
        probability_of_default * pd_reduction * loss_given_default * exposure_at_default
        - cost_per_loan as value_over_no_action
    from valued
)

select * from final
