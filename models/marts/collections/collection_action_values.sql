-- One row per open loan and collection action: whether the loan is eligible for the action, and the action's
-- expected value. With PD the calibrated risk score, EAD the outstanding amount and LGD as in loan_portfolio
-- (the same macros), the action lowers PD by its assumed relative effect r for the loan's risk band, and a
-- borrower who pays under it pays the balance less the action's discount d (a settlement's; 0 for the others):
--   PD under the action         = PD' = PD x (1 - r)
--   expected recovered amount   = EAD x ((1 - PD') x (1 - d) + PD' x (1 - LGD))
--                               = EAD x (1 - PD' x LGD) - EAD x (1 - PD') x d
--   expected value              = expected recovered amount - cost per loan
--   value over no action        = expected value - EAD x (1 - PD x LGD)
--                               = PD x r x LGD x EAD - EAD x (1 - PD') x d - cost
-- Written in the second forms, so that doing nothing is worth exactly 0.

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
        -- null-safe: a file without Loan_Type has one type, unknown, at the portfolio's rate
        on loans.loan_type is not distinct from loss_severity.loan_type
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
        cast(actions.balance_discount as double) as balance_discount,
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

under_action as (
    select
        *,
        probability_of_default * (1 - pd_reduction) as probability_of_default_under_action
    from loan_actions
),

valued as (
    select
        *,
        -- what a paying borrower is let off; 0 but for a settlement
        (1 - probability_of_default_under_action) * balance_discount * exposure_at_default as expected_discount
    from under_action
),

recovered as (
    select
        *,
        exposure_at_default * (1 - probability_of_default_under_action * loss_given_default) - expected_discount
            as expected_recovered_amount
    from valued
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
        probability_of_default_under_action,
        balance_discount,
        expected_recovered_amount,
        cost_per_loan,
        expected_recovered_amount - cost_per_loan as expected_value,
        probability_of_default * pd_reduction * loss_given_default * exposure_at_default - expected_discount
        - cost_per_loan as value_over_no_action
    from recovered
)

select * from final
