-- One row per loan: the borrower segment its financial profile falls in, named by its profile and by what its
-- resolved loans show: their not-recovered rate ranked against the book's (macro segment_risk_words).

with

segmented as (
    select * from {{ ref('int_borrowers_segmented') }}
),

loans as (
    select * from {{ ref('loan_features') }}
),

loans_in_segments as (
    select
        loans.*,
        segmented.segment_id,
        segmented.segment_name
    from loans
    inner join segmented
        on loans.loan_id = segmented.loan_id
),

book as (
    -- averaged as doubles on every engine (Spark keeps an average of decimals to 6 digits)
    select avg(cast(case when is_not_fully_recovered then 1 else 0 end as double)) as not_recovered_rate
    from loans_in_segments
    where is_not_fully_recovered is not null
),

segment_outcomes as (
    select
        segment_id,
        segment_name,
        count(is_not_fully_recovered) as segment_resolved_loans,
        avg(cast(case when is_not_fully_recovered then 1 when not is_not_fully_recovered then 0 end as double))
            as segment_not_recovered_rate
    from loans_in_segments
    group by segment_id, segment_name
),

segment_names as (
    select
        segment_outcomes.*,
        segment_outcomes.segment_name || ', '
        || {{ segment_risk_words('segment_outcomes.segment_not_recovered_rate', 'book.not_recovered_rate') }}
            as named_segment
    from segment_outcomes
    cross join book
),

final as (
    select
        -- ids
        loans_in_segments.loan_id,
        loans_in_segments.borrower_id,
        -- segment
        cast(loans_in_segments.segment_id as {{ dbt.type_int() }}) as segment_id,
        cast(segment_names.named_segment as {{ dbt.type_string() }}) as segment_name,
        -- profile the segment was drawn from
        loans_in_segments.monthly_income,
        loans_in_segments.loan_amount,
        loans_in_segments.emi_to_income_ratio,
        loans_in_segments.num_missed_payments,
        loans_in_segments.days_past_due,
        -- what the segment's resolved loans show
        cast(segment_names.segment_resolved_loans as {{ dbt.type_bigint() }}) as segment_resolved_loans,
        cast(segment_names.segment_not_recovered_rate as double) as segment_not_recovered_rate
    from loans_in_segments
    inner join segment_names
        on loans_in_segments.segment_id = segment_names.segment_id
)

select * from final
