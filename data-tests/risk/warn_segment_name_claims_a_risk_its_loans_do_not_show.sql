-- Warns when a segment's business name claims a default risk that its resolved loans contradict ("Low Default
-- Risk" not recovered at least as often as the book, "Higher Default Risk" at most as often). The name describes
-- the borrowers' profile; do not read it as a risk level, use risk_scores for that.
{{ config(severity='warn') }}

with

segments as (
    select * from {{ ref('borrower_segments') }}
)

select
    segment_id,
    segment_name,
    segment_resolved_loans,
    segment_not_recovered_rate,
    'the name of segment ' || segment_name || ' claims a risk its resolved loans contradict (not-recovered rate '
    || cast(round(segment_not_recovered_rate, 3) as {{ dbt.type_string() }})
    || '): read it as a borrower profile, not a risk level' as message
from segments
where is_name_contradicted_by_outcomes
group by all
