-- How many payments resolved loans missed, by outcome: the distribution per recovery status and its mean.

with

resolved as (
    select
        recovery_status,
        num_missed_payments
    from {{ ref('recovery_strategy') }}
    where not is_open
),

counted as (
    select
        recovery_status,
        num_missed_payments,
        count(*) as loans
    from resolved
    group by recovery_status, num_missed_payments
),

by_status as (
    select
        recovery_status,
        avg(num_missed_payments) as mean_missed_payments
    from resolved
    group by recovery_status
),

final as (
    select
        -- grain
        counted.recovery_status,
        counted.num_missed_payments,
        -- counts
        counted.loans,
        counted.loans / sum(counted.loans) over (partition by counted.recovery_status) as share_of_status,
        -- per status
        by_status.mean_missed_payments
    from counted
    inner join by_status on counted.recovery_status = by_status.recovery_status
)

select * from final
