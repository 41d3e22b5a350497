-- The baseline scenario rescores every open loan with the model in use and no shock: its probability of default
-- and expected loss are loan_portfolio's. Rows: open loans missing from the baseline or differing from it.

with

baseline as (
    select * from {{ ref('stress_loan_results') }}
    where scenario = 'baseline'
),

portfolio as (
    select * from {{ ref('loan_portfolio') }}
    where is_open
)

select
    coalesce(portfolio.loan_id, baseline.loan_id) as loan_id,
    portfolio.probability_of_default as portfolio_probability_of_default,
    baseline.probability_of_default as baseline_probability_of_default,
    portfolio.expected_loss as portfolio_expected_loss,
    baseline.expected_loss as baseline_expected_loss
from portfolio
full outer join baseline
    on portfolio.loan_id = baseline.loan_id
where
    portfolio.loan_id is null
    or baseline.loan_id is null
    or abs(portfolio.probability_of_default - baseline.probability_of_default) > 1e-9
    or abs(portfolio.expected_loss - baseline.expected_loss) > 1e-6 * greatest(abs(portfolio.expected_loss), 1)
