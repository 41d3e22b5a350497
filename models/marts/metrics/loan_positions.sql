-- One row per usable loan at the var `as_of_date`: the loan file's position, cut by the dimensions the KPI
-- metrics are grouped by (semantic model loan_positions). The snapshot's KPIs are defined once on it.

with

loans as (
    select * from {{ ref('loan_portfolio') }}
),

strategies as (
    select * from {{ ref('recovery_strategy') }}
),

final as (
    select
        -- ids
        loans.loan_id,
        -- as of
        {{ date_var('as_of_date') }} as as_of_date,
        -- dimensions
        loans.loan_type,
        loans.employment_type,
        loans.segment_name,
        loans.risk_band,
        strategies.recommended_team as team,
        loans.asset_class,
        -- status
        loans.is_open,
        loans.is_npa,
        (loans.is_npa or loans.recovery_status = 'Written Off') as is_defaulted,
        -- amounts
        loans.loan_amount,
        loans.outstanding_loan_amount,
        cast(loans.loan_amount - loans.outstanding_loan_amount as decimal(18, 2)) as repaid_amount,
        cast(case when loans.is_npa then loans.outstanding_loan_amount else 0 end as decimal(18, 2))
            as npa_outstanding_amount,
        loans.expected_loss
    from loans
    left join strategies
        on loans.loan_id = strategies.loan_id
)

select * from final
