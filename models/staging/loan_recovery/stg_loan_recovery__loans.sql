{%- set loans = source('loan_recovery', 'loans') -%}
{#- The file's columns under the warehouse's names (vars column_map_path, value_map_path), extra features last. -#}
{%- set columns = loan_file_columns() -%}
{%- set extras = columns | selectattr('extra', 'defined') | list -%}

with

parsed as (
    {{ parsed_input(loans, columns) }}
),

final as (
    select
        -- lineage
        '{{ var("loan_recovery_path") | replace("'", "''") }}' as source_file,
        source_row_number,
        -- ids
        loan_id,
        borrower_id,
        -- borrower
        age,
        gender,
        employment_type,
        monthly_income,
        num_dependents,
        -- loan terms
        loan_type,
        loan_amount,
        loan_tenure_months,
        interest_rate_pct,
        collateral_value,
        outstanding_loan_amount,
        monthly_emi,
        -- behaviour
        payment_history,
        num_missed_payments,
        days_past_due,
        -- outcome and collections, recorded after the outcome
        recovery_status,
        {{ is_active_loan(recovery_status='recovery_status') }} as is_open,
        collection_attempts,
        collection_method,
        is_legal_action_taken,
        -- the lender's extra model features, declared in the column map
        {{ extra_features_json(extras) }} as extra_features,
        -- data quality
        payment_history = 'On-Time' and (num_missed_payments > 0 or days_past_due > 0)
        or payment_history in ('Delayed', 'Missed') and num_missed_payments = 0 and days_past_due = 0
        as has_payment_history_conflict,
        outstanding_loan_amount > loan_amount as has_outstanding_above_loan_amount,
        invalid_columns,
        missing_columns
    from parsed
)

select * from final
