-- Input rows the warehouse could not use, with why and with their original values: nothing is dropped silently.
-- Published as a mart with a contract; the rows are gathered in int_input_rows_rejected.

with

rejected as (
    select * from {{ ref('int_input_rows_rejected') }}
),

final as (
    select
        -- lineage
        source_name,
        source_file,
        source_row_number,
        -- ids
        loan_id,
        -- problem
        rejection_reason,
        raw_record
    from rejected
)

select * from final
