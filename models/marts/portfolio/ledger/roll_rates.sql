-- Month-to-month movement between delinquency buckets over the ledger's history: of the loans in a bucket at
-- one month end, the share in each bucket at the next; cure rate is the share back to Current. Counted from
-- loan_month_ends, which buckets each loan's month ends and finds the next one as its loans are rebuilt: a
-- daily build only adds up its rows, instead of pairing every loan's month ends again.

with

transitions as (
    select * from {{ ref('loan_month_ends') }}
    where has_next_month
),

counted as (
    select
        delinquency_bucket as from_bucket,
        delinquency_bucket_order as from_bucket_order,
        next_delinquency_bucket as to_bucket,
        next_delinquency_bucket_order as to_bucket_order,
        count(*) as transitions
    from transitions
    group by delinquency_bucket, delinquency_bucket_order, next_delinquency_bucket, next_delinquency_bucket_order
),

final as (
    select
        from_bucket,
        from_bucket_order,
        to_bucket,
        to_bucket_order,
        transitions,
        cast(transitions as double) / sum(transitions) over (partition by from_bucket) as roll_rate,
        cast(sum(case when to_bucket = 'Current' then transitions else 0 end) over (partition by from_bucket) as double)
        / sum(transitions) over (partition by from_bucket) as cure_rate
    from counted
)

select * from final
