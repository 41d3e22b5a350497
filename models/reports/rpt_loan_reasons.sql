-- One row per open loan and reason: the model input behind each of its three strongest reasons and the loan's value
-- of it, so the page can say the reason as a collector would ("3 missed instalments") and keep the input for
-- analysts.

with

recovery_strategy as (
    select * from {{ ref('recovery_strategy') }}
),

loan_features as (
    select * from {{ ref('loan_features') }}
),

reasons as (
    select
        loan_id,
        1 as reason_rank,
        reason_1 as reason
    from recovery_strategy
    where is_open
    union all
    select
        loan_id,
        2 as reason_rank,
        reason_2 as reason
    from recovery_strategy
    where is_open
    union all
    select
        loan_id,
        3 as reason_rank,
        reason_3 as reason
    from recovery_strategy
    where is_open
),

final as (
    select
        -- grain
        reasons.loan_id,
        reasons.reason_rank,
        -- the model input and the loan's value of it
        reasons.reason,
        cast(case reasons.reason
            when 'days_past_due' then loan_features.days_past_due
            when 'num_missed_payments' then loan_features.num_missed_payments
            when 'days_since_last_payment' then loan_features.days_since_last_payment
            when 'payment_gap_share' then loan_features.payment_gap_share
            when 'paid_to_plan_ratio' then loan_features.paid_to_plan_ratio
            when 'payment_history_rank' then loan_features.payment_history_rank
            when 'collateral_value' then loan_features.collateral_value
            when 'collateral_coverage_ratio' then loan_features.collateral_coverage_ratio
            when 'monthly_income' then loan_features.monthly_income
            when 'monthly_emi' then loan_features.monthly_emi
            when 'emi_to_income_ratio' then loan_features.emi_to_income_ratio
            when 'loan_to_annual_income_ratio' then loan_features.loan_to_annual_income_ratio
            when 'loan_amount' then loan_features.loan_amount
            when 'interest_rate_pct' then loan_features.interest_rate_pct
            when 'outstanding_loan_amount' then loan_features.outstanding_loan_amount
            when 'outstanding_share' then loan_features.outstanding_share
            when 'loan_tenure_months' then loan_features.loan_tenure_months
        end as double) as reason_value
    from reasons
    inner join loan_features
        on reasons.loan_id = loan_features.loan_id
    where reasons.reason is not null
)

select * from final
