-- Today's work queue: the open loans with the largest expected loss, with what a collector needs to act on each
-- and the plan's action and team for it (recovery_strategy, which shows collection_plan's action).
-- Open loans only: a resolved loan is no longer work. The length is the var `work_queue_size`.

with

loan_portfolio as (
    select * from {{ ref('loan_portfolio') }}
),

recovery_strategy as (
    select * from {{ ref('recovery_strategy') }}
),

open_loans as (
    select
        loan_portfolio.loan_id,
        loan_portfolio.expected_loss,
        loan_portfolio.outstanding_loan_amount,
        loan_portfolio.days_past_due,
        loan_portfolio.delinquency_bucket,
        recovery_strategy.risk_score,
        recovery_strategy.risk_band,
        recovery_strategy.reason_1,
        recovery_strategy.reason_2,
        recovery_strategy.reason_3,
        recovery_strategy.recommended_action,
        recovery_strategy.recommended_action_name,
        recovery_strategy.recommended_team,
        row_number() over (
            order by loan_portfolio.expected_loss desc, loan_portfolio.loan_id asc
        ) as queue_rank,
        {{ order_free_sum('loan_portfolio.expected_loss', 'over ()') }} as open_expected_loss,
        count(*) over () as open_loans
    from loan_portfolio
    inner join recovery_strategy on loan_portfolio.loan_id = recovery_strategy.loan_id
    where recovery_strategy.is_open
),

final as (
    select
        -- grain
        queue_rank,
        loan_id,
        -- why it is first
        expected_loss,
        outstanding_loan_amount,
        days_past_due,
        delinquency_bucket,
        risk_score,
        risk_band,
        concat_ws(', ', reason_1, reason_2, reason_3) as reasons,
        -- what to do: the plan's action
        recommended_action,
        recommended_action_name,
        recommended_team as team,
        -- whole queue
        {{ order_free_sum('expected_loss', 'over ()') }} / nullif(open_expected_loss, 0)
            as queue_share_of_open_expected_loss,
        open_loans
    from open_loans
    where queue_rank <= {{ var('work_queue_size') }}
)

select * from final
