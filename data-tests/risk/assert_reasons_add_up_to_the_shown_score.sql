-- Every loan's reasons explain the risk_score it is shown: base_score plus the listed contributions plus the rest
-- equals risk_score. It fails when a loan is explained by another model than the one that scored it (the final
-- model instead of its fold's for a loan scored out of fold).

with

reasons as (
    select * from {{ ref('risk_reasons') }}
),

scores as (
    select * from {{ ref('risk_scores') }}
)

select
    scores.loan_id,
    scores.is_out_of_fold,
    scores.risk_score,
    reasons.base_score
    + coalesce(reasons.reason_1_contribution, 0)
    + coalesce(reasons.reason_2_contribution, 0)
    + coalesce(reasons.reason_3_contribution, 0)
    + reasons.other_contribution as explained_score
from scores
inner join reasons
    on scores.loan_id = reasons.loan_id
where
    abs(
        scores.risk_score
        - reasons.base_score
        - coalesce(reasons.reason_1_contribution, 0)
        - coalesce(reasons.reason_2_contribution, 0)
        - coalesce(reasons.reason_3_contribution, 0)
        - reasons.other_contribution
    ) > 1e-9
