-- How missed instalments relate to the outcome: the distribution of missed payments per recovery status.

with

resolved as (
    select
        recovery_status,
        num_missed_payments
    from {{ ref('recovery_strategy') }}
    where not is_open
),

final as (
    select
        recovery_status,
        count(*) as loans,
        avg(num_missed_payments) as mean_missed_payments,
        percentile_cont(0.50) within group (order by num_missed_payments) as median_missed_payments,
        max(num_missed_payments) as max_missed_payments,
        avg(case when num_missed_payments >= 3 then 1.0 else 0.0 end) as share_with_3_or_more_missed
    from resolved
    group by recovery_status
)

select * from final
order by recovery_status
