-- One row per usable loan: who the borrower is, how risky the loan is, and what the collections team should do.
-- What to do is collection_plan's action, the one plan within eligibility and capacity (its policy is var
-- collection_policy); the source documents' band strategy stays beside it for comparison.

with

loans as (
    {{ accepted_rows(ref('int_loans_validated')) }}
),

segments as (
    select * from {{ ref('borrower_segments') }}
),

scores as (
    select * from {{ ref('risk_scores') }}
),

reasons as (
    select * from {{ ref('risk_reasons') }}
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

collection_plan as (
    select * from {{ ref('collection_plan') }}
),

collection_actions as (
    select * from {{ ref('collection_actions') }}
),

final as (
    select
        -- ids
        loans.loan_id,
        loans.borrower_id,
        -- borrower
        loans.age,
        loans.gender,
        loans.employment_type,
        loans.monthly_income,
        loans.num_dependents,
        -- loan
        loans.loan_type,
        loans.loan_amount,
        loans.loan_tenure_months,
        loans.interest_rate_pct,
        loans.collateral_value,
        loans.outstanding_loan_amount,
        loans.monthly_emi,
        -- behaviour
        loans.payment_history,
        loans.num_missed_payments,
        loans.days_past_due,
        -- outcome and collections so far
        loans.recovery_status,
        loans.is_open,
        loans.collection_attempts,
        loans.collection_method,
        loans.is_legal_action_taken,
        -- segment
        segments.segment_id,
        segments.segment_name,
        -- risk
        scores.risk_score,
        scores.is_high_risk,
        scores.risk_target,
        scores.run_id,
        scores.is_score_predictive,
        -- why the score is what it is
        reasons.reason_1,
        reasons.reason_1_contribution,
        reasons.reason_2,
        reasons.reason_2_contribution,
        reasons.reason_3,
        reasons.reason_3_contribution,
        -- the source documents' band rule, for comparison: not an instruction
        risk_bands.risk_band,
        risk_bands.strategy,
        risk_bands.collection_action as band_rule_action,
        -- what to do: the plan's action (open loans only)
        collection_plan.action as recommended_action,
        collection_actions.action_name as recommended_action_name,
        collection_plan.team as recommended_team,
        collection_plan.assignment_reason as recommended_action_reason
    from loans
    inner join segments
        on loans.loan_id = segments.loan_id
    inner join scores
        on loans.loan_id = scores.loan_id
    left join reasons
        on loans.loan_id = reasons.loan_id
    left join risk_bands
        on {{ score_in_band('scores.risk_score', 'risk_bands') }}
    left join collection_plan
        on loans.loan_id = collection_plan.loan_id
    left join collection_actions
        on collection_plan.action = collection_actions.action
)

select * from final
