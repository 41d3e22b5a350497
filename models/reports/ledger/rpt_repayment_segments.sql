-- Ledger loans per repayment segment: count, share, total payment gap and mean repayment score.

with

loan_repayment as (
    select * from {{ ref('loan_repayment') }}
),

final as (
    select
        -- grain
        repayment_segment,
        -- counts and amounts
        count(*) as loans,
        count(*) / sum(count(*)) over () as share_of_loans,
        sum(payment_gap) as payment_gap,
        -- score
        {{ order_free_sum('repayment_score') }} / count(repayment_score) as mean_repayment_score
    from loan_repayment
    group by repayment_segment
)

select * from final
