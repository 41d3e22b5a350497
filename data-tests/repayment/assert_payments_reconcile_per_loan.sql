-- Every usable payment lands in loan_repayment: per loan, total_paid equals the sum of its accepted payment rows,
-- and no loan with accepted payments is missing from the mart.

with

accepted_payments as (
    select
        loan_id,
        sum(paid_amount) as paid_amount
    from {{ ref('int_ledger_payments_validated') }}
    where rejection_reason is null
    group by loan_id
),

repayment as (
    select * from {{ ref('loan_repayment') }}
)

select
    accepted_payments.loan_id,
    accepted_payments.paid_amount,
    repayment.total_paid
from accepted_payments
left join repayment
    on accepted_payments.loan_id = repayment.loan_id
where repayment.total_paid is null or repayment.total_paid <> accepted_payments.paid_amount
