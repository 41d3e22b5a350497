-- One row per loan: the borrower segment its financial profile falls in.

with

segmented as (
    select * from {{ ref('int_borrowers_segmented') }}
),

loans as (
    select * from {{ ref('loan_features') }}
),

final as (
    select
        -- ids
        loans.loan_id,
        loans.borrower_id,
        -- segment
        cast(segmented.segment_id as {{ dbt.type_int() }}) as segment_id,
        cast(segmented.segment_name as {{ dbt.type_string() }}) as segment_name,
        -- profile the segment was drawn from
        loans.monthly_income,
        loans.loan_amount,
        loans.emi_to_income_ratio,
        loans.num_missed_payments,
        loans.days_past_due
    from loans
    inner join segmented
        on loans.loan_id = segmented.loan_id
)

select * from final
