-- Planned vs actual payments: a fixed sample of ledger loans' payment gaps for the histogram, with the whole
-- ledger's shares behind and ahead of plan, median gap and the range of the middle 95% on every row.

with

loan_repayment as (
    select * from {{ ref('loan_repayment') }}
),

sampled as (
    {{ scatter_sample('loan_repayment') }}
),

whole_ledger as (
    select
        count(*) as ledger_loans,
        avg(cast(case when payment_gap > 0 then 1 else 0 end as double)) as share_behind,
        avg(cast(case when payment_gap < 0 then 1 else 0 end as double)) as share_ahead,
        median(payment_gap) as median_gap,
        percentile_cont(0.025) within group (order by payment_gap) as gap_p2_5,
        percentile_cont(0.975) within group (order by payment_gap) as gap_p97_5
    from loan_repayment
),

final as (
    select
        -- ids
        sampled.loan_id,
        -- plotted
        sampled.payment_gap,
        -- whole ledger
        whole_ledger.ledger_loans,
        whole_ledger.share_behind,
        whole_ledger.share_ahead,
        whole_ledger.median_gap,
        whole_ledger.gap_p2_5,
        whole_ledger.gap_p97_5
    from sampled
    cross join whole_ledger
)

select * from final
