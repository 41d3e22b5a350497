-- One row per usable loan: the model inputs, derived burden ratios, encoded categories and the label.

with

accepted_loans as (
    select * from {{ ref('int_loans_validated') }}
    where rejection_reason is null
),

final as (
    select
        -- ids
        loan_id,
        borrower_id,
        -- borrower
        employment_type,
        monthly_income,
        -- loan terms
        loan_type,
        loan_amount,
        loan_tenure_months,
        interest_rate_pct,
        collateral_value,
        outstanding_loan_amount,
        monthly_emi,
        -- behaviour
        payment_history,
        num_missed_payments,
        days_past_due,
        -- burden ratios
        cast(monthly_emi / monthly_income as double) as emi_to_income_ratio,
        cast(loan_amount / (12 * monthly_income) as double) as loan_to_annual_income_ratio,
        cast(loan_amount / nullif(collateral_value, 0) as double) as loan_to_value_ratio,
        cast(collateral_value / loan_amount as double) as collateral_coverage_ratio,
        cast(outstanding_loan_amount / loan_amount as double) as outstanding_share,
        -- encoded categories (Salaried, Personal and On-Time are the baselines)
        case payment_history when 'On-Time' then 0 when 'Delayed' then 1 when 'Missed' then 2 end
            as payment_history_rank,
        employment_type = 'Self-Employed' as is_self_employed,
        employment_type = 'Business Owner' as is_business_owner,
        loan_type = 'Home' as is_home_loan,
        loan_type = 'Auto' as is_auto_loan,
        loan_type = 'Business' as is_business_loan,
        -- data quality
        has_payment_history_conflict,
        has_outstanding_above_loan_amount,
        -- outcome
        recovery_status is null as is_open,
        case when recovery_status is not null then recovery_status <> 'Fully Recovered' end
            as is_not_fully_recovered
    from accepted_loans
)

select * from final
