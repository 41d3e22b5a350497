-- Portfolio health per dimension value (and for the whole book): counts, amounts, NPA, default and recovery
-- rates, average EMI-to-income and loan-to-value.

{%- set dimensions = ['loan_type', 'employment_type', 'segment_name'] %}

with

loans as (
    select * from {{ ref('loan_portfolio') }}
),

grouped as (
    select
        'portfolio' as dimension,
        'All loans' as dimension_value,
        *
    from loans
    {%- for dimension in dimensions %}
    union all
    select
        '{{ dimension }}' as dimension,
        {{ dimension }} as dimension_value,
        *
    from loans
    {%- endfor %}
),

final as (
    select
        -- grain
        dimension,
        dimension_value,
        -- counts
        count(*) as loans,
        count(case when is_open then 1 end) as active_loans,
        count(case when not is_open then 1 end) as closed_loans,
        count(case when recovery_status = 'Written Off' then 1 end) as written_off_loans,
        -- NPA figures are empty (not available) when no loan's days past due are known (no Days_Past_Due column)
        case when count(is_npa) > 0 then count(case when is_npa then 1 end) end as npa_loans,
        -- amounts
        -- decimal(38, 2) on every engine (Spark widens a sum by 10 digits, DuckDB to 38)
        cast(sum(loan_amount) as decimal(38, 2)) as total_disbursed,
        cast(sum(outstanding_loan_amount) as decimal(38, 2)) as total_outstanding,
        cast(sum(case when is_npa then outstanding_loan_amount when not is_npa then 0 end) as decimal(38, 2))
        as npa_amount,
        -- sums and means of doubles rounded, so that parallel aggregation gives the same figures every build
        round(sum(expected_loss), 2) as expected_loss,
        -- rates
        -- in double on every engine (Spark would divide and average decimals)
        cast(sum(case when is_npa then outstanding_loan_amount when not is_npa then 0 end) as double)
        / nullif(sum(outstanding_loan_amount), 0) as npa_ratio,
        avg(cast(case when is_npa or recovery_status = 'Written Off' then 1 else 0 end as double)) as default_rate,
        cast(sum(loan_amount) - sum(outstanding_loan_amount) as double) / nullif(sum(loan_amount), 0) as recovery_rate,
        round(avg(emi_to_income_ratio), 8) as avg_emi_to_income_ratio,
        round(avg(loan_to_value_ratio), 8) as avg_loan_to_value_ratio
    from grouped
    group by dimension, dimension_value
)

select * from final
