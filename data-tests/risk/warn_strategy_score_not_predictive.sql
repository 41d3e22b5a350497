-- Warns when the score that drives strategy does not predict the actual outcome: its cross-validated AUC is below
-- var min_predictive_auc (0.55). On the public 500-loan dataset it is about 0.5, and this says so on every build.
{{ config(severity='warn') }}

with

strategy_runs as (
    select distinct run_id from {{ ref('risk_scores') }}
),

runs as (
    select * from {{ ref('model_runs') }}
)

select
    runs.run_id,
    runs.algorithm,
    runs.cv_roc_auc
from runs
inner join strategy_runs
    on runs.run_id = strategy_runs.run_id
where not runs.is_score_predictive
