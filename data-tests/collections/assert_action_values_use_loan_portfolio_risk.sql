-- collection_action_values values every open loan with loan_portfolio's PD, EAD and LGD: one definition of each.

with

action_values as (
    select * from {{ ref('collection_action_values') }}
),

loan_portfolio as (
    select * from {{ ref('loan_portfolio') }}
)

select
    action_values.loan_id,
    action_values.action
from action_values
left join loan_portfolio
    on action_values.loan_id = loan_portfolio.loan_id
where loan_portfolio.loan_id is null
    or not loan_portfolio.is_open
    or abs(action_values.probability_of_default - loan_portfolio.probability_of_default) > 1e-9
    or abs(action_values.exposure_at_default - loan_portfolio.exposure_at_default) > 0.005
    or abs(action_values.loss_given_default - loan_portfolio.loss_given_default) > 1e-9
