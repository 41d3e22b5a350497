-- How EMI-to-income and loan-to-value are spread over the book: loans per band of each ratio (bands from the
-- ratio_bands seed).

with

loans as (
    select * from {{ ref('loan_portfolio') }}
),

ratio_bands as (
    select * from {{ ref('ratio_bands') }}
),

ratios as (
    select
        'emi_to_income' as ratio,
        emi_to_income_ratio as ratio_value,
        outstanding_loan_amount
    from loans
    union all
    select
        'loan_to_value' as ratio,
        loan_to_value_ratio as ratio_value,
        outstanding_loan_amount
    from loans
),

banded as (
    select
        ratios.ratio,
        ratio_bands.band,
        ratio_bands.band_order,
        ratios.outstanding_loan_amount
    from ratios
    inner join ratio_bands
        on
            ratios.ratio = ratio_bands.ratio
            and {{ ratio_in_band('ratios.ratio_value', 'ratio_bands') }}
),

final as (
    select
        ratio,
        band,
        band_order,
        count(*) as loans,
        cast(sum(outstanding_loan_amount) as decimal(38, 2)) as outstanding_amount,
        cast(count(*) as double) / sum(count(*)) over (partition by ratio) as share_of_loans
    from banded
    group by ratio, band, band_order
)

select * from final
