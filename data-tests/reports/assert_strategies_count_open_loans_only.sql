-- Fails when a strategy section counts a loan that is not open: rpt_strategies and the segment x band chart must
-- both add up to the open loans of recovery_strategy, and the work queue hold open loans only.

with

open_loans as (
    select count(*) as loans
    from {{ ref('recovery_strategy') }}
    where {{ is_active_loan(recovery_status='recovery_status') }}
),

counted as (
    select
        'rpt_strategies' as model_name,
        sum(loans) as loans
    from {{ ref('rpt_strategies') }}
    union all
    select
        'rpt_risk_by_segment_and_band' as model_name,
        sum(loans) as loans
    from {{ ref('rpt_risk_by_segment_and_band') }}
),

closed_in_queue as (
    select
        'rpt_work_queue' as model_name,
        count(*) as loans
    from {{ ref('rpt_work_queue') }} as work_queue
    inner join {{ ref('recovery_strategy') }} as recovery_strategy
        on work_queue.loan_id = recovery_strategy.loan_id
    where not recovery_strategy.is_open
),

final as (
    select counted.model_name
    from counted
    cross join open_loans
    where counted.loans <> open_loans.loans
    union all
    select model_name
    from closed_in_queue
    where loans > 0
)

select * from final
