{#- The observation point: the date up to which a loan's ledger may feed a model. An open loan is observed at
    the as-of date (it is scored now). A resolved loan is observed on a calendar observation date placed by its
    issue date alone (first_observation_date). The closing date never places it: a loan closed by then has no
    observation point to learn from (docs/point-in-time.md). Never after the as-of date. -#}
{% macro observation_date(issued_at, closed_at, as_of) -%}
    case
        when {{ closed_at }} is null or {{ closed_at }} > {{ as_of }} then {{ as_of }}
        -- never after the as-of date: a resolved loan too young for its observation point is seen at the as-of
        -- date, and, closed by then, is not learnt from
        else least({{ first_observation_date(issued_at) }}, {{ as_of }})
    end
{%- endmacro %}

{#- A loan's first calendar observation date: the first month end at least var observation_months_on_book months
    after issue that falls on the var observation_frequency_months grid (every month end at 1, quarter ends at 3,
    year ends at 12). Later observation dates follow every observation_frequency_months months
    (loan_observations). -#}
{% macro first_observation_date(issued_at) -%}
    {%- set months_on_book = number_var('observation_months_on_book', 0, 120) | int -%}
    {%- set frequency = number_var('observation_frequency_months', 1, 12) | int -%}
    {%- set first_month_end = dbt.last_day(dbt.dateadd('month', months_on_book, issued_at), 'month') -%}
    {#- months counted so that December is 0 modulo 12, so that every grid ends on a year end (3: March, June,
        September, December) -#}
    {%- set month_index = '(12 * extract(year from ' ~ first_month_end ~ ') + extract(month from '
        ~ first_month_end ~ '))' -%}
    cast({{ dbt.last_day(
        dbt.dateadd('month', '(' ~ frequency ~ ' - ' ~ month_index ~ ' % ' ~ frequency ~ ') % ' ~ frequency,
        first_month_end), 'month') }} as date)
{%- endmacro %}

{#- Loans' repayment positions at given dates, as CTEs: expects CTEs `positions` (loan_id, position_date; a loan
    may have several dates), `plan` and `payments` (accepted ledger rows) and defines `repayment_position`, one
    row per position.
    Payments cover the oldest instalments first, so an instalment is unpaid at the position date exactly when the
    payments made by then fall short of its cumulative amount due: no instalment-by-instalment matching is needed.
    An instalment due on the position date itself is due but not yet missed. -#}
{% macro repayment_position_ctes(with_outstanding=true) -%}
{% if with_outstanding -%}
plan_totals as (
    select
        loan_id,
        max(cumulative_due_amount) as plan_total
    from plan
    group by loan_id
),
{%- endif %}

position_paid as (
    select
        payments.loan_id,
        positions.position_date,
        -- decimal(38, 2) on every engine (Spark widens a sum by 10 digits, DuckDB to 38)
        cast(sum(payments.paid_amount) as decimal(38, 2)) as total_paid,
        cast(sum(
            case when cast(payments.paid_at as date) <= positions.position_date then payments.paid_amount else 0 end
        ) as decimal(38, 2)) as paid_to_date,
        min(case when cast(payments.paid_at as date) <= positions.position_date then payments.paid_at end)
            as first_payment_at,
        max(case when cast(payments.paid_at as date) <= positions.position_date then payments.paid_at end)
            as last_payment_at
    from payments
    inner join positions
        on payments.loan_id = positions.loan_id
    group by payments.loan_id, positions.position_date
),

position_due as (
    select
        plan.loan_id,
        positions.position_date,
        -- the width of the payment sums it is compared with
        cast(max(plan.cumulative_due_amount) as decimal(38, 2)) as planned_to_date,
        count(*) as instalments_due,
        count(
            case
                when
                    plan.due_on < positions.position_date
                    and plan.cumulative_due_amount > coalesce(position_paid.paid_to_date, 0)
                    then 1
            end
        ) as missed_instalments,
        min(
            case
                when
                    plan.due_on < positions.position_date
                    and plan.cumulative_due_amount > coalesce(position_paid.paid_to_date, 0)
                    then plan.due_on
            end
        ) as oldest_unpaid_due_on
    from plan
    inner join positions
        on plan.loan_id = positions.loan_id
    left join position_paid
        on positions.loan_id = position_paid.loan_id and positions.position_date = position_paid.position_date
    where plan.due_on <= positions.position_date
    group by plan.loan_id, positions.position_date
),

repayment_position as (
    select
        positions.loan_id,
        positions.position_date,
        coalesce(position_due.planned_to_date, 0) as planned_to_date,
        coalesce(position_paid.paid_to_date, 0) as paid_to_date,
        coalesce(position_paid.total_paid, 0) as total_paid,
        {% if with_outstanding -%}
        -- the plan's total due minus the payments made by the position date
        greatest(coalesce(plan_totals.plan_total, 0) - coalesce(position_paid.paid_to_date, 0), 0)
            as outstanding_amount,
        {%- endif %}
        coalesce(position_due.instalments_due, 0) as instalments_due,
        coalesce(position_due.missed_instalments, 0) as missed_instalments,
        coalesce({{ dbt.datediff('position_due.oldest_unpaid_due_on', 'positions.position_date', 'day') }}, 0)
            as days_past_due,
        position_paid.first_payment_at,
        position_paid.last_payment_at,
        {{ dbt.datediff('cast(position_paid.last_payment_at as date)', 'positions.position_date', 'day') }}
            as days_since_last_payment
    from positions
    left join position_due
        on positions.loan_id = position_due.loan_id and positions.position_date = position_due.position_date
    left join position_paid
        on positions.loan_id = position_paid.loan_id and positions.position_date = position_paid.position_date
    {% if with_outstanding -%}
    left join plan_totals
        on positions.loan_id = plan_totals.loan_id
    {%- endif %}
)
{%- endmacro %}
