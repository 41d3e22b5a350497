-- Does the recorded payment history tell you how a loan ends? Resolved loans by payment history and outcome.

with

resolved as (
    select
        payment_history,
        recovery_status
    from {{ ref('recovery_strategy') }}
    -- Payment_History is required in a file that has it: empty for every loan when the file lacks the column,
    -- and then this table is empty (not available).
    where not is_open and payment_history is not null
),

final as (
    select
        -- grain
        payment_history,
        recovery_status,
        -- counts
        count(*) as loans,
        count(*) / sum(count(*)) over (partition by payment_history) as share_of_payment_history
    from resolved
    group by payment_history, recovery_status
)

select * from final
