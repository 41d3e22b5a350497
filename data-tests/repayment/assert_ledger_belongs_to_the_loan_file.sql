-- The ledger describes the loans of the loan file: fails when no accepted order of the ledger is a usable loan of
-- the snapshot, the sign of a loan file paired with another ledger (e.g. your loan file with the bundled sample's
-- ledger: set ledger_path to your ledger folder, or to "" for none).

with

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated')) }}
),

loans as (
    select loan_id from {{ ref('loan_features') }}
),

matches as (
    select
        count(*) as ledger_orders,
        count(loans.loan_id) as orders_in_loan_file
    from orders
    left join loans
        on orders.loan_id = loans.loan_id
),

final as (
    select * from matches
    where ledger_orders > 0 and orders_in_loan_file = 0
)

select * from final
