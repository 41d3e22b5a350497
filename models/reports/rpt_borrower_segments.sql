-- Borrower segments on income vs loan amount: a fixed sample of loans to plot, with each segment's share of loans
-- and medians over all its loans.

with

segments as (
    select * from {{ ref('borrower_segments') }}
),

sampled as (
    {{ scatter_sample('segments') }}
),

by_segment as (
    select
        segment_name,
        count(*) / sum(count(*)) over () as share_of_loans,
        median(monthly_income) as segment_median_income,
        median(loan_amount) as segment_median_amount
    from segments
    group by segment_name
),

final as (
    select
        -- ids
        sampled.loan_id,
        -- plotted
        sampled.segment_name,
        sampled.monthly_income,
        sampled.loan_amount,
        -- per segment, all loans
        by_segment.share_of_loans,
        by_segment.segment_median_income,
        by_segment.segment_median_amount
    from sampled
    inner join by_segment on sampled.segment_name = by_segment.segment_name
)

select * from final
