-- Fails on any point of a vintage curve below the point before it: over a fixed cohort the share ever 30+ days
-- past due is cumulative and cannot fall.

with

curves as (
    select
        issue_year,
        months_on_book,
        share_ever_30_plus,
        lag(share_ever_30_plus) over (partition by issue_year order by months_on_book) as previous_share
    from {{ ref('rpt_vintage_curves') }}
),

final as (
    select *
    from curves
    where share_ever_30_plus < previous_share
)

select * from final
