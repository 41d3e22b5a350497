-- Active and overdue loans at the as-of date in the loan file and in the ledger, by the one definition of both
-- (macros/rules/activity_rules.sql): a row per pair of states, with how many loans and why the sources differ.

{%- set as_of = date_var('as_of_date') %}

with

loan_file as (
    select
        loan_id,
        is_open as is_active,
        days_past_due
    from {{ ref('recovery_strategy') }}
),

ledger as (
    select
        loan_id,
        {{ is_active_loan(closed_at='cast(closed_at as date)', at=as_of) }} as is_active,
        days_past_due
    from {{ ref('loan_repayment') }}
),

states as (
    select
        case
            when loan_file.loan_id is null then 'Not in the loan file'
            when loan_file.is_active then 'Active'
            else 'Resolved'
        end as loan_file_state,
        case
            when ledger.loan_id is null then 'Not in the ledger'
            when ledger.is_active then 'Active'
            else 'Closed'
        end as ledger_state,
        coalesce({{ is_overdue_loan('loan_file.is_active', 'loan_file.days_past_due') }}, false)
            as is_overdue_in_loan_file,
        coalesce({{ is_overdue_loan('ledger.is_active', 'ledger.days_past_due') }}, false) as is_overdue_in_ledger
    from loan_file
    full outer join ledger on loan_file.loan_id = ledger.loan_id
),

final as (
    select
        -- grain
        loan_file_state,
        ledger_state,
        -- counts
        count(*) as loans,
        count(case when is_overdue_in_loan_file then 1 end) as overdue_in_loan_file,
        count(case when is_overdue_in_ledger then 1 end) as overdue_in_ledger,
        count(case when is_overdue_in_loan_file <> is_overdue_in_ledger then 1 end) as overdue_disagreements,
        -- why
        case
            when loan_file_state = 'Active' and ledger_state = 'Closed'
                then 'the ledger closed them, the loan file records no outcome yet'
            when loan_file_state = 'Resolved' and ledger_state = 'Active'
                then 'the loan file records an outcome, the ledger has no closing date by the as-of date'
            when ledger_state = 'Not in the ledger' then 'the ledger has no order for them'
            when loan_file_state = 'Not in the loan file' then 'the loan file has no row for them'
        end as disagreement_reason
    from states
    group by loan_file_state, ledger_state
)

select * from final
