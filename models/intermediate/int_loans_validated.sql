-- Every input row with the reason it cannot be used (null when it can): the split point between
-- loan_features and rejected_rows, so that the two always add up to the input.

with

loans as (
    select * from {{ ref('stg_loan_recovery__loans') }}
    where {{ loan_is_rebuilt('loan_id') }}
),

checked as (
    select
        *,
        nullif(concat_ws('; ',
            'missing ' || missing_columns,
            'invalid value in ' || invalid_columns,
            case when monthly_income <= 0 then 'Monthly_Income not positive' end,
            case when loan_amount <= 0 then 'Loan_Amount not positive' end,
            case when loan_tenure_months <= 0 then 'Loan_Tenure not positive' end,
            case when interest_rate_pct < 0 then 'negative Interest_Rate' end,
            case when collateral_value < 0 then 'negative Collateral_Value' end,
            case when outstanding_loan_amount < 0 then 'negative Outstanding_Loan_Amount' end,
            case when monthly_emi < 0 then 'negative Monthly_EMI' end,
            case when num_missed_payments < 0 then 'negative Num_Missed_Payments' end,
            case when days_past_due < 0 then 'negative Days_Past_Due' end,
            case when age not between 18 and 120 then 'Age outside 18-120' end,
            case when interest_rate_pct > 100 then 'Interest_Rate above 100%' end,
            case when loan_tenure_months > 600 then 'Loan_Tenure above 600 months' end,
            case when num_dependents < 0 then 'negative Num_Dependents' end,
            case when collection_attempts < 0 then 'negative Collection_Attempts' end
        ), '') as row_problems
    from loans
),

{{ rejection_reason_ctes('checked', ['loan_id'], 'Loan_ID') }}

select * from final
