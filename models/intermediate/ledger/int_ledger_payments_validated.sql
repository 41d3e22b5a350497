-- Every payment row with the reason it cannot be used (null when it can). A payment must belong to a usable
-- order and cannot precede the loan's issue. Identical payments are kept: paying twice is possible. The
-- original values stay in stg_ledger__payments (see int_ledger_plan_validated).

with

payments as (
    select * from {{ ref('stg_ledger__payments') }}
    where {{ loan_is_rebuilt('loan_id') }}
),

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated'), loan_is_rebuilt('loan_id')) }}
),

checked as (
    select
        payments.source_file,
        payments.source_row_number,
        payments.loan_id,
        payments.paid_at,
        payments.paid_amount,
        nullif(concat_ws('; ',
            'missing ' || payments.missing_columns,
            'invalid value in ' || payments.invalid_columns,
            case when payments.paid_amount <= 0 then 'paid_sum not positive' end,
            case
                when payments.loan_id is not null and orders.loan_id is null then 'order_id not in orders'
            end,
            case when payments.paid_at < orders.issued_at then 'paid_at before put_at' end
        ), '') as row_problems
    from payments
    left join orders
        on payments.loan_id = orders.loan_id
),

final as (
    select
        -- lineage
        source_file,
        source_row_number,
        -- ids
        loan_id,
        -- payment
        paid_at,
        paid_amount,
        -- problem
        row_problems as rejection_reason
    from checked
)

select * from final
