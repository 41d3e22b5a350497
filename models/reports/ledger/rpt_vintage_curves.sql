-- Vintage curves by issue year: monthly vintages are too many lines to read, issue years weighted by each vintage's
-- loans are not. The comparison age is one that every year but the newest has reached, so that the sentence does
-- not favour older years for their age.

with

vintage_curves as (
    select * from {{ ref('vintage_curves') }}
),

by_issue_year as (
    select
        year(vintage_month_end) as issue_year,
        months_on_book,
        sum(share_ever_30_plus * vintage_loans) / sum(vintage_loans) as share_ever_30_plus
    from vintage_curves
    group by year(vintage_month_end), months_on_book
),

reached as (
    select
        issue_year,
        max(months_on_book) as months_reached,
        issue_year = max(issue_year) over () as is_newest
    from by_issue_year
    group by issue_year
),

comparison as (
    -- With a single issue year, that year's own age.
    select coalesce(min(case when not is_newest then months_reached end), max(months_reached)) as months_on_book
    from reached
),

final as (
    select
        -- grain
        by_issue_year.issue_year,
        by_issue_year.months_on_book,
        -- curve
        by_issue_year.share_ever_30_plus,
        by_issue_year.months_on_book = comparison.months_on_book as is_comparison_age
    from by_issue_year
    cross join comparison
)

select * from final
