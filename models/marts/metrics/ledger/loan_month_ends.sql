-- One row per ledger loan and month end on the book: whether it is open and overdue, its delinquency bucket and
-- where it is at the next month end. The monthly KPI metrics (open and overdue loans, cure and roll rates) are
-- defined once on it (semantic model loan_month_ends); loan type, segment, risk band and team join from
-- loan_positions by loan. Incremental by loan, as the month ends it reads: a daily build rebuilds the rebuilt loans'.

with

loan_months as (
    select * from {{ ref('int_loans_monthly_delinquency') }}
    where {{ loan_is_rebuilt('loan_id') }}
),

orders as (
    {{ accepted_rows(ref('int_ledger_orders_validated'), loan_is_rebuilt('loan_id')) }}
),

buckets as (
    select * from {{ ref('dpd_classes') }}
    where scheme = 'delinquency_bucket'
),

-- the shared definitions of open and overdue (macros/rules/activity_rules.sql), as monthly_risk_trend counts them
positions as (
    select
        loan_months.loan_id,
        loan_months.month_end,
        loan_months.days_past_due,
        loan_months.overdue_amount,
        {{ is_active_loan(closed_at='cast(orders.closed_at as date)', at='loan_months.month_end') }} as is_open
    from loan_months
    inner join orders
        on loan_months.loan_id = orders.loan_id
),

bucketed as (
    select
        positions.*,
        buckets.class_name as delinquency_bucket,
        buckets.class_order as delinquency_bucket_order,
        -- a loan's month ends are consecutive, so the next row is the next month end
        lead(buckets.class_name) over (
            partition by positions.loan_id order by positions.month_end
        ) as next_bucket,
        lead(buckets.class_order) over (
            partition by positions.loan_id order by positions.month_end
        ) as next_bucket_order
    from positions
    inner join buckets
        on {{ days_past_due_in_class('positions.days_past_due', 'buckets') }}
),

final as (
    select
        -- ids
        {{ dbt.concat(['bucketed.loan_id', "'/'", 'cast(bucketed.month_end as ' ~ dbt.type_string() ~ ')']) }}
            as loan_month_id,
        bucketed.loan_id,
        bucketed.month_end,
        -- delinquency
        bucketed.delinquency_bucket,
        bucketed.delinquency_bucket_order,
        cast(bucketed.days_past_due as {{ dbt.type_bigint() }}) as days_past_due,
        -- position
        bucketed.is_open,
        {{ is_overdue_loan('bucketed.is_open', 'bucketed.days_past_due') }} as is_open_overdue,
        -- decimal(38, 2) on every engine, as monthly_risk_trend's sum of it
        cast(case when bucketed.is_open then bucketed.overdue_amount else 0 end as decimal(38, 2))
            as open_overdue_amount,
        -- movement to the next month end
        bucketed.next_bucket_order is not null as has_next_month,
        bucketed.next_bucket as next_delinquency_bucket,
        bucketed.next_bucket_order as next_delinquency_bucket_order,
        coalesce(bucketed.next_bucket = 'Current', false) as is_cured_next_month,
        coalesce(bucketed.next_bucket_order = bucketed.delinquency_bucket_order + 1, false)
            as is_rolled_forward_next_month
    from bucketed
)

select * from final
