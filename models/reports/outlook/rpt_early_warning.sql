-- The report's early-warning list: the first var `work_queue_size` loans of early_warning_loans (current or
-- nearly so, risk rising), with why each is listed, and how many are listed in all.

with

early_warning_loans as (
    select * from {{ ref('early_warning_loans') }}
),

final as (
    select
        -- grain
        warning_rank,
        loan_id,
        -- the loan
        loan_type,
        risk_band,
        outstanding_loan_amount,
        days_past_due,
        risk_score,
        risk_score_rise,
        recommended_action,
        -- why it is listed
        warning_reasons,
        count(*) over () as listed_loans
    from early_warning_loans
)

select * from final
where warning_rank <= {{ number_var('work_queue_size', 1, 10000) | int }}
