-- How loan size grows with income: loans per income decile with the spread of loan amounts
-- and the median loan-to-annual-income multiple.

with

loans as (
    select
        monthly_income,
        loan_amount,
        ntile(10) over (order by monthly_income) as income_decile
    from {{ ref('recovery_strategy') }}
),

final as (
    select
        income_decile,
        count(*) as loans,
        min(monthly_income) as min_monthly_income,
        max(monthly_income) as max_monthly_income,
        percentile_cont(0.25) within group (order by loan_amount) as loan_amount_p25,
        percentile_cont(0.50) within group (order by loan_amount) as loan_amount_median,
        percentile_cont(0.75) within group (order by loan_amount) as loan_amount_p75,
        percentile_cont(0.50) within group (order by loan_amount / (12 * monthly_income))
            as median_loan_to_annual_income
    from loans
    group by income_decile
)

select * from final
order by income_decile
