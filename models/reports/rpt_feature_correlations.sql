-- Pearson correlation of every pair of the main loan features: the borrower profile (the segmentation features of
-- ml/features.py), two burden ratios and the outcome; with how many distinct pairs are nearly uncorrelated.
-- Rounded: a double sum's last digits depend on the order of parallel aggregation, and r = 1 must not read 1.0000001.

{%- set features = [
    'monthly_income', 'loan_amount', 'loan_tenure_months', 'interest_rate_pct', 'collateral_value',
    'outstanding_loan_amount', 'monthly_emi', 'num_missed_payments', 'days_past_due',
    'emi_to_income_ratio', 'loan_to_value_ratio', 'is_not_fully_recovered',
] %}

with

loan_features as (
    select * from {{ ref('loan_features') }}
),

{%- set pairs = [] %}
{%- for left in features %}
    {%- set left_loop = loop %}
    {%- for right in features %}
        {%- do pairs.append({
            'left_feature': "'" ~ left ~ "'",
            'left_order': left_loop.index,
            'right_feature': "'" ~ right ~ "'",
            'right_order': loop.index,
            'correlation': 'round(corr(cast(' ~ left ~ ' as double), cast(' ~ right ~ ' as double)), 8)',
        }) %}
    {%- endfor %}
{%- endfor %}

-- One pass over the loans: a list of every pair's correlation, unnested to a row a pair below.
correlated as (
    select {{ struct_list(pairs) }} as pairs
    from loan_features
),

pairs as (
    select {{ struct_list_rows('pairs') }}
    from correlated
),

final as (
    select
        -- grain
        left_feature,
        right_feature,
        -- order
        left_order,
        right_order,
        -- correlation
        correlation,
        -- whole matrix, each unordered pair once
        count(case when left_order < right_order and correlation is not null then 1 end) over () as distinct_pairs,
        count(case when left_order < right_order and abs(correlation) < 0.1 then 1 end) over ()
            as nearly_uncorrelated_pairs
    from pairs
)

select * from final
