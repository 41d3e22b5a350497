-- Per issue month (vintage) and months on book: the cumulative share of the vintage's loans that have been 30 or
-- more, and 90 or more, days past due at some month end so far (from the ledger's monthly delinquency snapshot).

with

loan_months as (
    select * from {{ ref('int_loans_monthly_delinquency') }}
),

loans as (
    select
        loan_id,
        min(case when months_on_book = 0 then month_end end) as vintage_month_end,
        min(case when days_past_due >= 30 then months_on_book end) as first_month_30_plus,
        min(case when days_past_due >= 90 then months_on_book end) as first_month_90_plus
    from loan_months
    group by loan_id
),

vintages as (
    select
        vintage_month_end,
        count(*) as vintage_loans
    from loans
    group by vintage_month_end
),

grid as (
    select distinct
        loans.vintage_month_end,
        loan_months.months_on_book
    from loan_months
    inner join loans
        on loan_months.loan_id = loans.loan_id
),

final as (
    select
        grid.vintage_month_end,
        grid.months_on_book,
        vintages.vintage_loans,
        cast(count(case when loans.first_month_30_plus <= grid.months_on_book then 1 end) as double)
        / vintages.vintage_loans as share_ever_30_plus,
        cast(count(case when loans.first_month_90_plus <= grid.months_on_book then 1 end) as double)
        / vintages.vintage_loans as share_ever_90_plus
    from grid
    inner join vintages
        on grid.vintage_month_end = vintages.vintage_month_end
    inner join loans
        on grid.vintage_month_end = loans.vintage_month_end
    group by grid.vintage_month_end, grid.months_on_book, vintages.vintage_loans
)

select * from final
