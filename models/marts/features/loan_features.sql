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
        issued_amount,
        planned_to_date,
        paid_to_date,
        outstanding_amount,
        missed_instalments,
        days_past_due,
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
        {{ no_ledger_position() }}
),
{%- endif %}

final as (
    select
        -- ids
        loan.loan_id,
        loan.borrower_id,
        -- borrower
        loan.employment_type,
        loan.monthly_income,
        -- loan terms
        loan.loan_type,
        loan.loan_amount,
        loan.loan_tenure_months,
        loan.interest_rate_pct,
        loan.collateral_value,
        {{ ledger_feature('outstanding_loan_amount', 'observed', 'loan') }} as outstanding_loan_amount,
        loan.monthly_emi,
        -- behaviour: the ledger's at the observation point when there is one, else the loan file's
        loan.payment_history,
        {{ ledger_feature('num_missed_payments', 'observed', 'loan') }} as num_missed_payments,
        {{ ledger_feature('days_past_due', 'observed', 'loan') }} as days_past_due,
        -- burden ratios
        -- divided as doubles: the same bits on every engine (Spark would divide the decimals, then round)
        cast(loan.monthly_emi as double) / loan.monthly_income as emi_to_income_ratio,
        cast(loan.loan_amount as double) / (12 * loan.monthly_income) as loan_to_annual_income_ratio,
        cast(loan.loan_amount as double) / nullif(loan.collateral_value, 0) as loan_to_value_ratio,
        cast(loan.collateral_value as double) / loan.loan_amount as collateral_coverage_ratio,
        {{ ledger_feature('outstanding_share', 'observed', 'loan') }} as outstanding_share,
        -- encoded categories (Salaried, Personal and On-Time are the baselines)
        -- the file's undated history is no model input when the ledger dates the same behaviour (for no loan: a
        -- feature a few loans have would reach the models without any training loan having it)
        {% if ledger_is_present() -%}
        cast(null as {{ dbt.type_int() }}) as payment_history_rank,
        {%- else -%}
        case loan.payment_history when 'On-Time' then 0 when 'Delayed' then 1 when 'Missed' then 2 end
            as payment_history_rank,
        {%- endif %}
        loan.employment_type = 'Self-Employed' as is_self_employed,
        loan.employment_type = 'Business Owner' as is_business_owner,
        loan.loan_type = 'Home' as is_home_loan,
        loan.loan_type = 'Auto' as is_auto_loan,
        loan.loan_type = 'Business' as is_business_loan,
        -- repayment behaviour from the ledger, up to the observation date
        observed.observation_date,
        {{ ledger_feature('paid_to_plan_ratio', 'observed', 'loan') }} as paid_to_plan_ratio,
        {{ ledger_feature('payment_gap_share', 'observed', 'loan') }} as payment_gap_share,
        {{ ledger_feature('days_since_last_payment', 'observed', 'loan') }} as days_since_last_payment,
        -- the lender's extra features (column map), as JSON
        loan.extra_features,
        -- data quality
        loan.has_payment_history_conflict,
        loan.has_outstanding_above_loan_amount,
        -- outcome
        loan.is_open,
        -- null while open, and for a ledger loan closed by its observation date (never seen open, nothing to learn)
        case
            when loan.recovery_status is not null and coalesce(observed.is_open_when_observed, true)
                then loan.recovery_status <> 'Fully Recovered'
        end as is_not_fully_recovered
    from accepted_loans as loan
    left join repayment as observed
        on loan.loan_id = observed.loan_id
)

select * from final
