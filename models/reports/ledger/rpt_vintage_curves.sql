-- Vintage curves by issue year over fixed cohorts: a year's curve runs only to the months on book that every one
-- of its issue months has reached, so each point counts the same loans and the cumulative share cannot fall.
-- Issue years with fewer loans than the var `min_vintage_cohort_loans` are left out: a handful of loans would
-- draw a curve of noise. The comparison age is one that every year but the newest has reached.

with

vintage_curves as (
    select * from {{ ref('vintage_curves') }}
),

vintages as (
    select
        vintage_month_end,
        year(vintage_month_end) as issue_year,
        any_value(vintage_loans) as vintage_loans,
        max(months_on_book) as months_reached
    from vintage_curves
    group by vintage_month_end
),

cohorts as (
    select
        issue_year,
        sum(vintage_loans) as cohort_loans,
        count(*) as vintage_months,
        min(months_reached) as months_reached
    from vintages
    group by issue_year
    having sum(vintage_loans) >= {{ var('min_vintage_cohort_loans') }}
),

by_issue_year as (
    select
        cohorts.issue_year,
        vintage_curves.months_on_book,
        sum(vintage_curves.share_ever_30_plus * vintage_curves.vintage_loans) / cohorts.cohort_loans
            as share_ever_30_plus
    from vintage_curves
    inner join cohorts
        on year(vintage_curves.vintage_month_end) = cohorts.issue_year
        and vintage_curves.months_on_book <= cohorts.months_reached
    group by cohorts.issue_year, vintage_curves.months_on_book, cohorts.cohort_loans
),

newest as (
    select max(issue_year) as issue_year
    from cohorts
),

comparison as (
    -- With a single issue year, that year's own age.
    select
        coalesce(
            min(case when cohorts.issue_year < newest.issue_year then cohorts.months_reached end),
            max(cohorts.months_reached)
        ) as months_on_book
    from cohorts
    cross join newest
),

final as (
    select
        -- grain
        by_issue_year.issue_year,
        by_issue_year.months_on_book,
        -- cohort
        cohorts.cohort_loans,
        cohorts.vintage_months,
        -- curve
        round(by_issue_year.share_ever_30_plus, 8) as share_ever_30_plus,
        by_issue_year.months_on_book = comparison.months_on_book as is_comparison_age
    from by_issue_year
    inner join cohorts on by_issue_year.issue_year = cohorts.issue_year
    cross join comparison
)

select * from final
