-- One row per ledger loan and month end from its issue month until it closes (or the var `as_of_date`):
-- planned and paid to date, the gap, and days past due at that month end. Roll rates and vintage curves read this.

{%- set as_of = date_var('as_of_date') %}

with

orders as (
    select * from {{ ref('int_ledger_orders_validated') }}
    where rejection_reason is null
),

instalments as (
    select * from {{ ref('int_ledger_instalments_covered') }}
),

payments as (
    select * from {{ ref('int_ledger_payments_validated') }}
    where rejection_reason is null
),

month_offsets as (
    -- 100 years of months: more than any loan stays on the book
    select cast(generated_number - 1 as {{ dbt.type_int() }}) as months_on_book
    from ({{ dbt.generate_series(1200) }}) as series
),

loan_months as (
    select
        orders.loan_id,
        orders.issued_at,
        month_offsets.months_on_book,
        cast({{ dbt.last_day(
            dbt.dateadd('month', 'month_offsets.months_on_book', dbt.date_trunc('month', 'orders.issued_at')),
            'month'
        ) }} as date) as month_end
    from orders
    inner join month_offsets
        on month_offsets.months_on_book <= {{ dbt.datediff(
            'orders.issued_at', 'least(coalesce(orders.closed_at, ' ~ as_of ~ '), ' ~ as_of ~ ')', 'month'
        ) }}
        and {{ dbt.dateadd('month', 'month_offsets.months_on_book', dbt.date_trunc('month', 'orders.issued_at')) }}
        <= {{ as_of }}
),

-- An instalment is the oldest unpaid one from when it falls due (or the one before it is covered, if later)
-- until it is covered; instalments paid on time never are.
oldest_unpaid_spells as (
    select
        loan_id,
        due_on,
        greatest(
            due_on,
            coalesce(lag(covered_on) over (partition by loan_id order by due_on), due_on)
        ) as spell_start_on,
        covered_on as spell_end_on
    from instalments
),

month_end_spells as (
    select
        loan_months.loan_id,
        loan_months.month_end,
        min(spells.due_on) as oldest_unpaid_due_on
    from oldest_unpaid_spells as spells
    inner join loan_months
        on spells.loan_id = loan_months.loan_id
        and spells.spell_start_on <= loan_months.month_end
        and (spells.spell_end_on is null or spells.spell_end_on > loan_months.month_end)
    where spells.spell_end_on is null or spells.spell_end_on > spells.due_on
    group by loan_months.loan_id, loan_months.month_end
),

due_by_month as (
    select
        loan_id,
        cast({{ dbt.last_day('due_on', 'month') }} as date) as month_end,
        max(cumulative_due_amount) as cumulative_due_amount
    from instalments
    group by loan_id, {{ dbt.last_day('due_on', 'month') }}
),

paid_by_month as (
    select
        loan_id,
        cast({{ dbt.last_day('cast(paid_at as date)', 'month') }} as date) as month_end,
        sum(paid_amount) as paid_amount
    from payments
    group by loan_id, {{ dbt.last_day('cast(paid_at as date)', 'month') }}
),

running as (
    select
        loan_months.loan_id,
        loan_months.month_end,
        loan_months.months_on_book,
        coalesce(max(due_by_month.cumulative_due_amount) over (
            partition by loan_months.loan_id order by loan_months.month_end rows unbounded preceding
        ), 0) as planned_to_date,
        coalesce(sum(paid_by_month.paid_amount) over (
            partition by loan_months.loan_id order by loan_months.month_end rows unbounded preceding
        ), 0) as paid_to_date,
        month_end_spells.oldest_unpaid_due_on
    from loan_months
    left join due_by_month
        on loan_months.loan_id = due_by_month.loan_id and loan_months.month_end = due_by_month.month_end
    left join paid_by_month
        on loan_months.loan_id = paid_by_month.loan_id and loan_months.month_end = paid_by_month.month_end
    left join month_end_spells
        on loan_months.loan_id = month_end_spells.loan_id and loan_months.month_end = month_end_spells.month_end
),

final as (
    select
        -- ids
        loan_id,
        month_end,
        months_on_book,
        -- amounts
        planned_to_date,
        paid_to_date,
        planned_to_date - paid_to_date as payment_gap,
        greatest(planned_to_date - paid_to_date, 0) as overdue_amount,
        -- delinquency
        coalesce({{ dbt.datediff('oldest_unpaid_due_on', 'month_end', 'day') }}, 0) as days_past_due
    from running
)

select * from final
