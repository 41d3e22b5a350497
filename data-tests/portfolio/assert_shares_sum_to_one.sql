-- Distribution shares add up: bucket and asset-class shares per scheme, ratio bands per ratio, and the roll
-- rates out of each bucket.

with

sums as (
    select
        'delinquency_distribution' as mart,
        scheme as split_value,
        sum(share_of_loans) as share_total
    from {{ ref('delinquency_distribution') }}
    group by scheme
    union all
    select
        'ratio_distributions' as mart,
        ratio as split_value,
        sum(share_of_loans) as share_total
    from {{ ref('ratio_distributions') }}
    group by ratio
    {%- if ledger_is_present() %}
    union all
    select
        'roll_rates' as mart,
        from_bucket as split_value,
        sum(roll_rate) as share_total
    from {{ ref('roll_rates') }}
    group by from_bucket
    {%- endif %}
)

select * from sums
where abs(share_total - 1) > 1e-9
