-- Monotone: ordered by risk score, no loan has a higher credit score than a less risky one.

with

loans as (
    select
        loan_id,
        probability_of_default,
        credit_score,
        max(credit_score) over (
            order by probability_of_default desc, loan_id asc rows between unbounded preceding and 1 preceding
        ) as best_score_of_riskier_loans
    from {{ ref('loan_portfolio') }}
)

select * from loans
where credit_score < best_score_of_riskier_loans
