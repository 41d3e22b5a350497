-- Input rows the warehouse could not use, with why and with their original values: nothing is dropped silently.

with

loan_rows as (
    select * from {{ ref('int_loans_validated') }}
    where rejection_reason is not null
),

final as (
    select
        -- lineage
        'loan_recovery' as source_name,
        source_file,
        source_row_number,
        -- ids
        loan_id,
        -- problem
        rejection_reason,
        raw_record
    from loan_rows
)

select * from final
