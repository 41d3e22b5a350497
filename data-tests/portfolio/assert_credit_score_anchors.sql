-- The credit score scaling at its anchors: the base odds score the base, doubling the odds adds PDO points,
-- halving them takes PDO away, and extreme probabilities are clipped to 300 and 850.

{%- set base = var('credit_score_base') | float %}
{%- set base_odds = var('credit_score_base_odds') | float %}
{%- set pdo = var('credit_score_pdo') | float %}

with

probes as (
    select
        probe.probability,
        probe.expected_score
    from (
        values
        ({{ 1 / (1 + base_odds) }}, {{ base }}),
        ({{ 1 / (1 + 2 * base_odds) }}, {{ base + pdo }}),
        ({{ 1 / (1 + base_odds / 2) }}, {{ base - pdo }}),
        (0.0, 850),
        (1.0, 300)
    ) as probe (probability, expected_score)
)

select
    probability,
    expected_score,
    {{ credit_score('probability') }} as credit_score
from probes
where {{ credit_score('probability') }} <> round(expected_score, 0)
