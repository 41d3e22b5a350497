-- Loan amount vs monthly income: a fixed sample of loans to plot, with the whole book's correlation and median
-- loan-to-income multiple on every row for the sentence under the chart.

with

loans as (
    select * from {{ ref('recovery_strategy') }}
),

sampled as (
    {{ scatter_sample('loans') }}
),

whole_book as (
    select
        count(*) as book_loans,
        round(corr(monthly_income, loan_amount), 8) as income_amount_correlation,
        median(loan_amount) / median(monthly_income) as median_amount_to_income
    from loans
),

final as (
    select
        -- ids
        sampled.loan_id,
        -- plotted
        sampled.monthly_income,
        sampled.loan_amount,
        -- whole book
        whole_book.book_loans,
        whole_book.income_amount_correlation,
        whole_book.median_amount_to_income
    from sampled
    cross join whole_book
)

select * from final
