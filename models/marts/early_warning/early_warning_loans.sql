-- One row per open loan that is not yet past due, or only a little (var early_warning_max_days_past_due), whose
-- risk is rising: its score rose by var early_warning_score_rise or more over the last
-- var early_warning_lookback_builds builds (strategy_history), it missed its first instalment, or a payment gap
-- opened on the ledger since the previous month end. Each row says why.

{%- set as_of = date_var('as_of_date') %}
{%- set score_rise = number_var('early_warning_score_rise', 0, 1) %}
{%- set lookback_builds = number_var('early_warning_lookback_builds', 1, 1000) | int %}
{%- set max_days_past_due = number_var('early_warning_max_days_past_due', 0, 100000) | int %}
{%- set this_build_at = "cast('" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") ~ "' as timestamp)" %}

with

loans as (
    select * from {{ ref('recovery_strategy') }}
    where is_open and days_past_due <= {{ max_days_past_due }}
),

history as (
    select * from {{ ref('strategy_history') }}
    where built_at < {{ this_build_at }}
),

-- the build the score rise is measured from: the lookback_builds-th before this one (the first, with fewer)
earlier_builds as (
    select
        built_at,
        row_number() over (order by built_at desc) as builds_back
    from history
    group by built_at
),

window_start as (
    select min(built_at) as built_at
    from earlier_builds
    where builds_back <= {{ lookback_builds }}
),

-- each loan's score as that build left it (its latest row at or before the build)
score_then as (
    select
        history.loan_id,
        history.risk_score,
        history.built_at
    from history
    inner join window_start
        on history.built_at <= window_start.built_at
    qualify row_number() over (partition by history.loan_id order by history.built_at desc) = 1
),

{% if ledger_is_present() -%}
repayment as (
    select
        loan_id,
        missed_instalments,
        payment_gap
    from {{ ref('loan_repayment') }}
),

previous_month_end as (
    select
        loan_id,
        payment_gap
    from {{ ref('int_loans_monthly_delinquency') }}
    where month_end < {{ dbt.date_trunc('month', as_of) }}
    qualify row_number() over (partition by loan_id order by month_end desc) = 1
),
{%- else -%}
repayment as (
    select
        cast(null as {{ dbt.type_string() }}) as loan_id,
        cast(null as {{ dbt.type_int() }}) as missed_instalments,
        cast(null as double) as payment_gap
),

previous_month_end as (
    select
        cast(null as {{ dbt.type_string() }}) as loan_id,
        cast(null as double) as payment_gap
),
{%- endif %}

signals as (
    select
        loans.loan_id,
        loans.loan_type,
        loans.segment_name,
        loans.risk_band,
        loans.risk_score,
        loans.days_past_due,
        loans.outstanding_loan_amount,
        loans.recommended_action,
        score_then.built_at as previous_built_at,
        -- a loan without a score then (new since, or the first build) has not risen: the same on a first build
        -- and on a repeated one
        coalesce(score_then.risk_score, loans.risk_score) as previous_risk_score,
        loans.risk_score - coalesce(score_then.risk_score, loans.risk_score) as risk_score_rise,
        -- the ledger's count when there is one, the loan file's otherwise
        cast(coalesce(repayment.missed_instalments, loans.num_missed_payments) as {{ dbt.type_int() }})
            as missed_instalments,
        cast(repayment.payment_gap as double) as payment_gap,
        cast(previous_month_end.payment_gap as double) as previous_payment_gap,
        loans.risk_score - coalesce(score_then.risk_score, loans.risk_score) >= {{ score_rise }} as has_score_rise,
        coalesce(repayment.missed_instalments, loans.num_missed_payments) = 1 as has_first_missed_instalment,
        coalesce(repayment.payment_gap > 0 and coalesce(previous_month_end.payment_gap, 0) <= 0, false)
            as has_payment_gap_opened
    from loans
    left join score_then
        on loans.loan_id = score_then.loan_id
    left join repayment
        on loans.loan_id = repayment.loan_id
    left join previous_month_end
        on loans.loan_id = previous_month_end.loan_id
),

flagged as (
    select
        *,
        concat_ws(
            '; ',
            case
                when has_score_rise
                    then 'risk score up ' || cast(round(risk_score_rise, 2) as {{ dbt.type_string() }})
                    || ' since ' || cast(cast(previous_built_at as date) as {{ dbt.type_string() }})
            end,
            case when has_first_missed_instalment then 'first missed instalment' end,
            case when has_payment_gap_opened then 'payment gap opened since the previous month end' end
        ) as warning_reasons,
        cast(has_score_rise as {{ dbt.type_int() }})
        + cast(has_first_missed_instalment as {{ dbt.type_int() }})
        + cast(has_payment_gap_opened as {{ dbt.type_int() }}) as warning_count
    from signals
    where has_score_rise or has_first_missed_instalment or has_payment_gap_opened
),

final as (
    select
        -- ids
        loan_id,
        -- loan
        loan_type,
        segment_name,
        risk_band,
        outstanding_loan_amount,
        days_past_due,
        recommended_action,
        -- risk
        risk_score,
        previous_risk_score,
        previous_built_at,
        risk_score_rise,
        -- behaviour
        missed_instalments,
        payment_gap,
        previous_payment_gap,
        -- warning
        has_score_rise,
        has_first_missed_instalment,
        has_payment_gap_opened,
        warning_count,
        warning_reasons,
        -- bigint on every engine (Spark's row_number is an int)
        cast(row_number() over (
            order by warning_count desc, risk_score desc, outstanding_loan_amount desc, loan_id asc
        ) as bigint) as warning_rank
    from flagged
)

select * from final
