-- Every ledger order row with the reason it cannot be used (null when it can).

with

orders as (
    select * from {{ ref('stg_ledger__orders') }}
    where {{ loan_is_rebuilt('loan_id') }}
),

checked as (
    select
        *,
        nullif(concat_ws('; ',
            'missing ' || missing_columns,
            'invalid value in ' || invalid_columns,
            case when issued_amount <= 0 then 'issued_sum not positive' end,
            case when closed_at < issued_at then 'closed_at before put_at' end
        ), '') as row_problems
    from orders
),

{{ rejection_reason_ctes('checked', ['loan_id'], 'order_id') }}

select * from final
