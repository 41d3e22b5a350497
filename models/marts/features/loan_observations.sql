-- One row per observation the risk model learns from: a resolved loan on an observation date, its model inputs
-- there and its label (docs/point-in-time.md). With a ledger, a resolved loan is observed on every calendar
-- observation date on which it was open, from its first (macro first_observation_date) every var
-- observation_frequency_months months until it closed: its ledger position at each date, its loan-file profile,
-- and whether it ended not fully recovered. The closing date ends a loan's rows; it never places them. Without a
-- ledger, each resolved loan once, as loan_features shows it. With a ledger, about var risk_training_rows rows at
-- most, drawn at random by a hash of loan and date (the same on every engine and build).

{%- set as_of = date_var('as_of_date') %}
{%- set frequency = number_var('observation_frequency_months', 1, 12) | int %}
{%- set row_cap = var('risk_training_rows') | string %}

with

labelled_loans as (
    select * from {{ ref('loan_features') }}
    where is_not_fully_recovered is not null
),

{% if ledger_is_present() -%}
-- the ledger's loans: issued, closed and issued amount
orders as (
    select
        loan_id,
        issued_at,
        closed_at,
        issued_amount
    from {{ ref('int_loans_repayment') }}
),

plan as (
    {{ accepted_rows(ref('int_ledger_plan_validated')) }}
),

payments as (
    {{ accepted_rows(ref('int_ledger_payments_validated')) }}
),

month_offsets as (
    {{ months_on_book_series() }}
),

first_dates as (
    select
        orders.loan_id,
        orders.issued_amount,
        cast(orders.closed_at as date) as closed_on,
        {{ first_observation_date('cast(orders.issued_at as date)') }} as first_observation_date
    from orders
    inner join labelled_loans
        on orders.loan_id = labelled_loans.loan_id
),

-- an inequality on one precomputed column per loan: engines without a range join (Spark) compare integers
observation_counts as (
    select
        loan_id,
        issued_amount,
        closed_on,
        first_observation_date,
        {{ dbt.datediff('first_observation_date', 'least(coalesce(closed_on, ' ~ as_of ~ '), ' ~ as_of ~ ')',
            'month') }} as last_month_offset
    from first_dates
),

observation_dates as (
    select
        observation_counts.loan_id,
        observation_counts.issued_amount,
        cast({{ dbt.last_day(
            dbt.dateadd('month', 'month_offsets.months_on_book', 'observation_counts.first_observation_date'),
            'month') }} as date) as position_date,
        observation_counts.closed_on
    from observation_counts
    inner join month_offsets
        on observation_counts.last_month_offset >= month_offsets.months_on_book
    where month_offsets.months_on_book % {{ frequency }} = 0
),

-- open on the date: closed after it (a loan closed on a date was not seen open there)
open_dates as (
    select
        loan_id,
        issued_amount,
        position_date
    from observation_dates
    where (closed_on is null or closed_on > position_date) and position_date <= {{ as_of }}
),

candidate_count as (
    select cast(count(*) as double) as n_candidates
    from open_dates
),

-- about var risk_training_rows of them, drawn by a hash of loan and date (ml.risk's stratified sample then takes
-- exactly that many); a draw by hash needs no sort of every candidate row
positions as (
    select
        loan_id,
        issued_amount,
        position_date
    from open_dates
    {% if row_cap != '' -%}
    where {{ hash_fraction(dbt.concat(['loan_id', "'|'", 'cast(position_date as ' ~ dbt.type_string() ~ ')'])) }}
        < {{ row_cap | int }} / (select candidate_count.n_candidates from candidate_count)
    {%- endif %}
),

{{ repayment_position_ctes() }},

observed as (
    select
        repayment_position.*,
        positions.issued_amount
    from repayment_position
    inner join positions
        on repayment_position.loan_id = positions.loan_id
            and repayment_position.position_date = positions.position_date
),
{%- else -%}
observed as (
    select
        loan_id,
        observation_date as position_date,
        {{ no_ledger_position() }}
    from labelled_loans
),
{%- endif %}

final as (
    select
        -- ids
        loan.loan_id,
        observed.position_date as observation_date,
        -- profile, from the loan file
        loan.monthly_income,
        loan.loan_amount,
        loan.loan_tenure_months,
        loan.interest_rate_pct,
        loan.collateral_value,
        loan.monthly_emi,
        loan.emi_to_income_ratio,
        loan.loan_to_annual_income_ratio,
        loan.collateral_coverage_ratio,
        loan.payment_history_rank,
        loan.is_self_employed,
        loan.is_business_owner,
        loan.is_home_loan,
        loan.is_auto_loan,
        loan.is_business_loan,
        loan.extra_features,
        -- behaviour at the observation date (without a ledger: loan_features', the loan file's)
        {% for name in ['outstanding_loan_amount', 'num_missed_payments', 'days_past_due', 'outstanding_share',
            'paid_to_plan_ratio', 'payment_gap_share', 'days_since_last_payment'] -%}
        {{ ledger_feature(name, 'observed', 'loan') }} as {{ name }},
        {% endfor -%}
        -- label
        loan.is_not_fully_recovered
    from labelled_loans as loan
    inner join observed
        on loan.loan_id = observed.loan_id
)

select * from final
