-- Every loan falls in exactly one band of each ratio: per ratio, the band counts of ratio_distributions add up
-- to the loans of loan_portfolio (a gap or an overlap in the ratio_bands seed breaks it).

with

portfolio as (
    select count(*) as loans from {{ ref('loan_portfolio') }}
),

banded as (
    select
        ratio,
        sum(loans) as loans
    from {{ ref('ratio_distributions') }}
    group by ratio
),

final as (
    select
        banded.ratio,
        banded.loans as banded_loans,
        portfolio.loans as portfolio_loans
    from banded
    cross join portfolio
    where banded.loans <> portfolio.loans
)

select * from final
