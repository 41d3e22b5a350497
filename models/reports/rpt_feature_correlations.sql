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

-- One pass over the loans: every pair's correlation as a column of one row, turned into a row a pair below.
correlated as (
    select
    {%- for left in features %}
        {%- set left_loop = loop %}
        {%- for right in features %}
        round(corr(cast({{ left }} as double), cast({{ right }} as double)), 8)
            as pair_{{ left_loop.index }}_{{ loop.index }}{{ "," if not (left_loop.last and loop.last) }}
        {%- endfor %}
    {%- endfor %}
    from loan_features
),

pairs as (
    {%- for left in features %}
        {%- set left_loop = loop %}
        {%- for right in features %}
    select
        '{{ left }}' as left_feature,
        {{ left_loop.index }} as left_order,
        '{{ right }}' as right_feature,
        {{ loop.index }} as right_order,
        pair_{{ left_loop.index }}_{{ loop.index }} as correlation
    from correlated
    {% if not (left_loop.last and loop.last) %}union all{% endif %}
        {%- endfor %}
    {%- endfor %}
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
