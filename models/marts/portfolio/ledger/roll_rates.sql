-- Month-to-month movement between delinquency buckets over the ledger's history: of the loans in a bucket at
-- one month end, the share in each bucket at the next; cure rate is the share back to Current.

with

loan_months as (
    select * from {{ ref('int_loans_monthly_delinquency') }}
),

buckets as (
    select * from {{ ref('dpd_classes') }}
    where scheme = 'delinquency_bucket'
),

bucketed as (
    select
        loan_months.loan_id,
        loan_months.months_on_book,
        buckets.class_name as bucket,
        buckets.class_order as bucket_order
    from loan_months
    inner join buckets
        on {{ days_past_due_in_class('loan_months.days_past_due', 'buckets') }}
),

transitions as (
    select
        current_month.bucket as from_bucket,
        current_month.bucket_order as from_bucket_order,
        next_month.bucket as to_bucket,
        next_month.bucket_order as to_bucket_order
    from bucketed as current_month
    inner join bucketed as next_month
        on current_month.loan_id = next_month.loan_id
        and current_month.months_on_book + 1 = next_month.months_on_book
),

counted as (
    select
        from_bucket,
        from_bucket_order,
        to_bucket,
        to_bucket_order,
        count(*) as transitions
    from transitions
    group by from_bucket, from_bucket_order, to_bucket, to_bucket_order
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
