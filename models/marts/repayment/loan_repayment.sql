-- One row per ledger loan: planned vs actual repayment as of the var `as_of_date`, the repayment segment and score.

with

repayment as (
    select * from {{ ref('int_loans_repayment') }}
),

final as (
    select
        -- ids
        loan_id,
        -- timeline
        as_of_date,
        issued_at,
        closed_at,
        is_open,
        loan_duration_days,
        -- amounts
        issued_amount,
        planned_to_date,
        paid_to_date,
        total_paid,
        planned_to_date - paid_to_date as payment_gap,
        greatest(paid_to_date - planned_to_date, 0) as overpayment_amount,
        -- divided as doubles on every engine (Spark would round a quotient of wide decimals to 6 digits)
        cast(paid_to_date as double) / nullif(planned_to_date, 0) as paid_to_plan_ratio,
        -- behaviour
        instalments_due,
        missed_instalments,
        days_past_due,
        first_payment_at,
        last_payment_at,
        days_since_last_payment,
        first_payment_at is null as has_no_payment,
        -- assessment
        {{ repayment_segment('planned_to_date', 'paid_to_date', number_var('repayment_tolerance', 0, 1)) }}
            as repayment_segment,
        {{ repayment_score('planned_to_date', 'paid_to_date', 'days_past_due', 'issued_amount') }}
            as repayment_score
    from repayment
)

select * from final
