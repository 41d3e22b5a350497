-- Fails the build when a segment's name claims a default risk its resolved loans do not show: every segment's
-- name must say where its not-recovered rate stands against the book's, from the labels in loan_features.
with

segments as (
    select
        segment_id,
        segment_name,
        loan_id
    from {{ ref('borrower_segments') }}
),

labels as (
    select
        loan_id,
        cast(case when is_not_fully_recovered then 1 when not is_not_fully_recovered then 0 end as double)
            as not_recovered
    from {{ ref('loan_features') }}
),

book as (
    select avg(not_recovered) as book_rate
    from labels
),

segment_rates as (
    select
        segments.segment_id,
        segments.segment_name,
        avg(labels.not_recovered) as segment_rate
    from segments
    inner join labels
        on segments.loan_id = labels.loan_id
    group by segments.segment_id, segments.segment_name
)

select
    segment_rates.segment_id,
    segment_rates.segment_name,
    segment_rates.segment_rate,
    book.book_rate
from segment_rates
cross join book
where not coalesce(
    segment_rates.segment_name like '%, Higher Default Risk' and segment_rates.segment_rate > book.book_rate
    or segment_rates.segment_name like '%, Lower Default Risk' and segment_rates.segment_rate < book.book_rate
    or segment_rates.segment_name like '%, Book-Average Default Risk'
    and segment_rates.segment_rate = book.book_rate
    or segment_rates.segment_name like '%, Default Risk Unknown' and segment_rates.segment_rate is null,
    false
)
