-- Income and loan size together: the not-fully-recovered rate in each income quartile x loan-amount quartile.

with

resolved as (
    select
        ntile(4) over (order by monthly_income) as income_quartile,
        ntile(4) over (order by loan_amount) as loan_amount_quartile,
        recovery_status
    from {{ ref('recovery_strategy') }}
    where not is_open
),

final as (
    select
        income_quartile,
        loan_amount_quartile,
        count(*) as loans,
        avg(case when recovery_status = 'Fully Recovered' then 0.0 else 1.0 end) as not_fully_recovered_rate,
        avg(case when recovery_status = 'Written Off' then 1.0 else 0.0 end) as written_off_rate
    from resolved
    group by income_quartile, loan_amount_quartile
)

select * from final
order by income_quartile, loan_amount_quartile
