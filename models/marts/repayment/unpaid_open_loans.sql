-- Open loans that have received no payment at all by the as-of date: the source documents' "direct
-- liabilities", with the full issued amount at risk.

with

repayment as (
    select * from {{ ref('loan_repayment') }}
),

final as (
    select
        -- ids
        loan_id,
        -- timeline
        as_of_date,
        issued_at,
        loan_duration_days,
        -- exposure
        issued_amount as exposure_amount,
        planned_to_date,
        instalments_due,
        days_past_due
    from repayment
    where is_open and has_no_payment
)

select * from final
