-- How debt-to-income and loan-to-value are spread over the book: loans per band of each ratio.

with

loans as (
    select * from {{ ref('loan_portfolio') }}
),

banded as (
    select
        'debt_to_income' as ratio,
        case
            when debt_to_income_ratio < 0.2 then '< 20%'
            when debt_to_income_ratio < 0.4 then '20-40%'
            when debt_to_income_ratio < 0.6 then '40-60%'
            else '60% +'
        end as band,
        case
            when debt_to_income_ratio < 0.2 then 1
            when debt_to_income_ratio < 0.4 then 2
            when debt_to_income_ratio < 0.6 then 3
            else 4
        end as band_order,
        outstanding_loan_amount
    from loans
    union all
    select
        'loan_to_value' as ratio,
        case
            when loan_to_value_ratio is null then 'No collateral'
            when loan_to_value_ratio < 0.6 then '< 60%'
            when loan_to_value_ratio < 0.8 then '60-80%'
            when loan_to_value_ratio < 1.0 then '80-100%'
            else '100% +'
        end as band,
        case
            when loan_to_value_ratio is null then 5
            when loan_to_value_ratio < 0.6 then 1
            when loan_to_value_ratio < 0.8 then 2
            when loan_to_value_ratio < 1.0 then 3
            else 4
        end as band_order,
        outstanding_loan_amount
    from loans
),

final as (
    select
        ratio,
        band,
        band_order,
        count(*) as loans,
        sum(outstanding_loan_amount) as outstanding_amount,
        cast(count(*) as double) / sum(count(*)) over (partition by ratio) as share_of_loans
    from banded
    group by ratio, band, band_order
)

select * from final
