-- One row per loan: the borrower segment its financial profile falls in, and what its segment's resolved loans
-- show: their not-recovered rate and whether that contradicts the risk the segment's name claims.

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

-- A name claims low risk ("Low Default Risk") or high risk ("Higher Default Risk"); the claim is contradicted when
-- the segment's resolved loans are not recovered at least as often (low), or at most as often (high), as the
-- book's resolved loans. The other names claim no direction.
segment_claims as (
    select
        segment_outcomes.*,
        coalesce(
            segment_outcomes.segment_name like '%Low Default Risk%'
            and segment_outcomes.segment_not_recovered_rate >= book.not_recovered_rate
            or segment_outcomes.segment_name like '%Higher Default Risk%'
            and segment_outcomes.segment_not_recovered_rate <= book.not_recovered_rate,
            false
        ) as is_name_contradicted_by_outcomes
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
        cast(loans_in_segments.segment_name as {{ dbt.type_string() }}) as segment_name,
        -- profile the segment was drawn from
        loans_in_segments.monthly_income,
        loans_in_segments.loan_amount,
        loans_in_segments.emi_to_income_ratio,
        loans_in_segments.num_missed_payments,
        loans_in_segments.days_past_due,
        -- what the segment's resolved loans show
        cast(segment_claims.segment_resolved_loans as {{ dbt.type_bigint() }}) as segment_resolved_loans,
        cast(segment_claims.segment_not_recovered_rate as double) as segment_not_recovered_rate,
        segment_claims.is_name_contradicted_by_outcomes
    from loans_in_segments
    inner join segment_claims
        on loans_in_segments.segment_id = segment_claims.segment_id
)

select * from final
