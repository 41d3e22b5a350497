-- One row per loan type: the share of an unsecured exposure lost once a loan is not fully recovered, learnt from
-- the resolved loans of that type (written off = all lost, partially recovered = var `partial_recovery_loss_rate`
-- lost). Types without defaulted history take the portfolio's rate, and 1 when there is no history at all.

with

loans as (
    {{ accepted_rows(ref('int_loans_validated')) }}
),

resolved_defaults as (
    select
        loan_type,
        recovery_status
    from loans
    where recovery_status in ('Partially Recovered', 'Written Off')
),

loan_types as (
    select distinct loan_type from loans
),

by_type as (
    select
        loan_type,
        count(*) as defaulted_loans,
        avg(cast(case
            when recovery_status = 'Written Off' then 1.0
            else {{ number_var('partial_recovery_loss_rate', 0, 1) }}
        end as double)) as loss_severity
    from resolved_defaults
    group by loan_type
),

portfolio as (
    select
        avg(cast(case
            when recovery_status = 'Written Off' then 1.0
            else {{ number_var('partial_recovery_loss_rate', 0, 1) }}
        end as double)) as loss_severity
    from resolved_defaults
),

final as (
    select
        loan_types.loan_type,
        coalesce(by_type.defaulted_loans, 0) as defaulted_loans,
        cast(coalesce(by_type.loss_severity, portfolio.loss_severity, 1.0) as double) as unsecured_loss_severity
    from loan_types
    cross join portfolio
    left join by_type
        on loan_types.loan_type = by_type.loan_type
)

select * from final
