-- The portfolio row of portfolio_summary equals the loan-level mart's totals, and every dimension splits the
-- same total.

with

loans as (
    select
        count(*) as loans,
        sum(outstanding_loan_amount) as total_outstanding,
        sum(case when is_npa then outstanding_loan_amount else 0 end) as npa_amount
    from {{ ref('loan_portfolio') }}
),

by_dimension as (
    select
        dimension,
        sum(loans) as loans,
        sum(total_outstanding) as total_outstanding,
        sum(npa_amount) as npa_amount
    from {{ ref('portfolio_summary') }}
    group by dimension
)

select
    by_dimension.dimension,
    by_dimension.loans,
    loans.loans as loan_level_loans
from by_dimension
cross join loans
where
    by_dimension.loans <> loans.loans
    or by_dimension.total_outstanding <> loans.total_outstanding
    or by_dimension.npa_amount <> loans.npa_amount
