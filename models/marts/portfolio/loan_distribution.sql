-- Loans and amounts by loan type and status (Open, or the recovery outcome).

with

loans as (
    select * from {{ ref('loan_portfolio') }}
),

final as (
    select
        loan_type,
        coalesce(recovery_status, 'Open') as loan_status,
        count(*) as loans,
        cast(sum(loan_amount) as decimal(38, 2)) as disbursed_amount,
        cast(sum(outstanding_loan_amount) as decimal(38, 2)) as outstanding_amount,
        cast(count(*) as double) / sum(count(*)) over () as share_of_loans
    from loans
    group by loan_type, coalesce(recovery_status, 'Open')
)

select * from final
