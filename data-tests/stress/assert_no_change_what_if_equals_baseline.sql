-- A what-if that changes nothing (the var what_if empty, or every setting at no change) gives every open loan
-- exactly the baseline scenario's probability of default and expected loss. Rows: loans where it does not (none
-- is checked while the var what_if asks for a change).

{%- set is_no_change = what_if_value('income_change') == 0
    and what_if_value('unemployment_share') == 0
    and what_if_value('collateral_change') == 0
    and what_if_value('pd_multiplier') == 1 %}

with

results as (
    select * from {{ ref('stress_loan_results') }}
    where {{ 'true' if is_no_change else 'false' }}
),

baseline as (
    select * from results
    where scenario = 'baseline'
),

what_if as (
    select * from results
    where is_what_if
)

select
    coalesce(baseline.loan_id, what_if.loan_id) as loan_id,
    baseline.probability_of_default as baseline_probability_of_default,
    what_if.probability_of_default as what_if_probability_of_default,
    baseline.expected_loss as baseline_expected_loss,
    what_if.expected_loss as what_if_expected_loss
from baseline
full outer join what_if
    on baseline.loan_id = what_if.loan_id
where
    baseline.loan_id is null
    or what_if.loan_id is null
    or baseline.probability_of_default <> what_if.probability_of_default
    or baseline.expected_loss <> what_if.expected_loss
