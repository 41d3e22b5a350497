-- Per issue month (vintage) and months on book: the cumulative share of the vintage's loans that have been 30 or
-- more, and 90 or more, days past due at some month end so far (from the ledger's monthly delinquency snapshot).
-- One pass over the month ends finds each loan's vintage and first month at 30+ and 90+; the curves are running
-- sums of those first months per vintage, on the grid of months each vintage has been on the book.

with

loan_months as (
    select * from {{ ref('int_loans_monthly_delinquency') }}
),

loans as (
    select
        loan_id,
        min(case when months_on_book = 0 then month_end end) as vintage_month_end,
        max(months_on_book) as last_month_on_book,
        min(case when days_past_due >= 30 then months_on_book end) as first_month_30_plus,
        min(case when days_past_due >= 90 then months_on_book end) as first_month_90_plus
    from loan_months
    group by loan_id
),

vintages as (
    select
        vintage_month_end,
        count(*) as vintage_loans,
        max(last_month_on_book) as last_month_on_book
    from loans
    group by vintage_month_end
),

month_offsets as (
    {{ months_on_book_series() }}
),

-- a loan's month ends run from its issue month to its last, so its vintage has every month up to the longest
grid as (
    select
        vintages.vintage_month_end,
        vintages.vintage_loans,
        month_offsets.months_on_book
    from vintages
    inner join month_offsets
        on vintages.last_month_on_book >= month_offsets.months_on_book
),

first_30_plus as (
    select
        vintage_month_end,
        first_month_30_plus as months_on_book,
        count(*) as loans
    from loans
    where first_month_30_plus is not null
    group by vintage_month_end, first_month_30_plus
),

first_90_plus as (
    select
        vintage_month_end,
        first_month_90_plus as months_on_book,
        count(*) as loans
    from loans
    where first_month_90_plus is not null
    group by vintage_month_end, first_month_90_plus
),

final as (
    select
        grid.vintage_month_end,
        grid.months_on_book,
        grid.vintage_loans,
        cast(coalesce(sum(first_30_plus.loans) over (
            partition by grid.vintage_month_end order by grid.months_on_book rows unbounded preceding
        ), 0) as double) / grid.vintage_loans as share_ever_30_plus,
        cast(coalesce(sum(first_90_plus.loans) over (
            partition by grid.vintage_month_end order by grid.months_on_book rows unbounded preceding
        ), 0) as double) / grid.vintage_loans as share_ever_90_plus
    from grid
    left join first_30_plus
        on grid.vintage_month_end = first_30_plus.vintage_month_end
        and grid.months_on_book = first_30_plus.months_on_book
    left join first_90_plus
        on grid.vintage_month_end = first_90_plus.vintage_month_end
        and grid.months_on_book = first_90_plus.months_on_book
)

select * from final
