-- One row per usable loan: the model inputs, derived burden ratios, encoded categories, repayment behaviour
-- from the ledger at the loan's observation point (null without a ledger) and the label. With a ledger the loan
-- file's undated snapshot columns (missed payments, days past due, outstanding, payment history) give way to the
-- ledger's position at the observation point: for a resolved loan the snapshot was taken after its outcome.

with

accepted_loans as (
    {{ accepted_rows(ref('int_loans_validated'), loan_is_rebuilt('loan_id')) }}
),

{% if ledger_is_present() -%}
repayment as (
    select
        loan_id,
        observation_date,
        is_open_when_observed,
        missed_instalments,
        days_past_due,
        outstanding_amount,
        -- divided as doubles on every engine (Spark would round a quotient of wide decimals to 6 digits)
        cast(paid_to_date as double) / nullif(planned_to_date, 0) as paid_to_plan_ratio,
        cast(planned_to_date - paid_to_date as double) / issued_amount as payment_gap_share,
        days_since_last_payment
    from {{ ref('int_loans_observation') }}
    where {{ loan_is_rebuilt('loan_id') }}
),
{%- else -%}
repayment as (
    select
        cast(null as {{ dbt.type_string() }}) as loan_id,
        cast(null as date) as observation_date,
        cast(null as boolean) as is_open_when_observed,
        cast(null as {{ dbt.type_bigint() }}) as missed_instalments,
        cast(null as {{ dbt.type_bigint() }}) as days_past_due,
        cast(null as decimal(38, 2)) as outstanding_amount,
        cast(null as double) as paid_to_plan_ratio,
        cast(null as double) as payment_gap_share,
        cast(null as {{ dbt.type_bigint() }}) as days_since_last_payment
),
{%- endif %}

loans_with_repayment as (
    select
        accepted_loans.*,
        repayment.missed_instalments,
        repayment.days_past_due as ledger_days_past_due,
        repayment.outstanding_amount,
        repayment.is_open_when_observed,
        repayment.observation_date,
        repayment.paid_to_plan_ratio,
        repayment.payment_gap_share,
        repayment.days_since_last_payment
    from accepted_loans
    left join repayment
        on accepted_loans.loan_id = repayment.loan_id
),

final as (
    select
        -- ids
        loan_id,
        borrower_id,
        -- borrower
        employment_type,
        monthly_income,
        -- loan terms
        loan_type,
        loan_amount,
        loan_tenure_months,
        interest_rate_pct,
        collateral_value,
        cast(coalesce(outstanding_amount, outstanding_loan_amount) as decimal(18, 2)) as outstanding_loan_amount,
        monthly_emi,
        -- behaviour: the ledger's at the observation point when there is one, else the loan file's
        payment_history,
        cast(coalesce(missed_instalments, num_missed_payments) as {{ dbt.type_int() }}) as num_missed_payments,
        cast(coalesce(ledger_days_past_due, days_past_due) as {{ dbt.type_int() }}) as days_past_due,
        -- burden ratios
        -- divided as doubles: the same bits on every engine (Spark would divide the decimals, then round)
        cast(monthly_emi as double) / monthly_income as emi_to_income_ratio,
        cast(loan_amount as double) / (12 * monthly_income) as loan_to_annual_income_ratio,
        cast(loan_amount as double) / nullif(collateral_value, 0) as loan_to_value_ratio,
        cast(collateral_value as double) / loan_amount as collateral_coverage_ratio,
        cast(coalesce(outstanding_amount, outstanding_loan_amount) as double) / loan_amount as outstanding_share,
        -- encoded categories (Salaried, Personal and On-Time are the baselines)
        -- the file's undated history is no model input when the ledger dates the same behaviour (for no loan: a
        -- feature a few loans have would reach the models without any training loan having it)
        {% if ledger_is_present() -%}
        cast(null as {{ dbt.type_int() }}) as payment_history_rank,
        {%- else -%}
        case payment_history when 'On-Time' then 0 when 'Delayed' then 1 when 'Missed' then 2 end
            as payment_history_rank,
        {%- endif %}
        employment_type = 'Self-Employed' as is_self_employed,
        employment_type = 'Business Owner' as is_business_owner,
        loan_type = 'Home' as is_home_loan,
        loan_type = 'Auto' as is_auto_loan,
        loan_type = 'Business' as is_business_loan,
        -- repayment behaviour from the ledger, up to the observation date
        observation_date,
        paid_to_plan_ratio,
        payment_gap_share,
        days_since_last_payment,
        -- the lender's extra features (column map), as JSON
        extra_features,
        -- data quality
        has_payment_history_conflict,
        has_outstanding_above_loan_amount,
        -- outcome
        is_open,
        -- null while open, and for a ledger loan closed by its observation date (never seen open, nothing to learn)
        case
            when recovery_status is not null and coalesce(is_open_when_observed, true)
                then recovery_status <> 'Fully Recovered'
        end as is_not_fully_recovered
    from loans_with_repayment
)

select * from final
