-- Loans and outstanding amount per delinquency bucket and per regulatory asset class (every class of the
-- dpd_classes seed, also when empty), with shares that sum to 1 within each scheme.

with

loans as (
    select * from {{ ref('loan_portfolio') }}
),

dpd_classes as (
    select * from {{ ref('dpd_classes') }}
),

loans_per_class as (
    select
        dpd_classes.scheme,
        dpd_classes.class_name,
        dpd_classes.class_order,
        dpd_classes.is_npa,
        count(loans.loan_id) as loans,
        cast(coalesce(sum(loans.outstanding_loan_amount), 0) as decimal(38, 2)) as outstanding_amount
    from dpd_classes
    left join loans
        on {{ days_past_due_in_class('loans.days_past_due', 'dpd_classes') }}
    group by dpd_classes.scheme, dpd_classes.class_name, dpd_classes.class_order, dpd_classes.is_npa
),

final as (
    select
        scheme,
        class_name,
        class_order,
        is_npa,
        loans,
        outstanding_amount,
        cast(loans as double) / nullif(sum(loans) over (partition by scheme), 0) as share_of_loans,
        cast(outstanding_amount as double) / nullif(sum(outstanding_amount) over (partition by scheme), 0)
            as share_of_outstanding
    from loans_per_class
)

select * from final
