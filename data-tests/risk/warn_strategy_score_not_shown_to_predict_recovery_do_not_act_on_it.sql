-- Warns when the score that drives strategy is not shown to predict the actual outcome: the low end of the 95%
-- interval of its cross-validated AUC is below var min_predictive_auc (0.55), so what it ranks may be chance.
-- Do not act on its strategies; get more resolved loans, or features that are known before the outcome. On the
-- public 500-loan dataset the interval reaches below 0.5, and this says so on every build. Each row carries the
-- message, with the AUC and its interval.
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
    runs.cv_roc_auc,
    runs.cv_roc_auc_ci_low,
    runs.cv_roc_auc_ci_high,
    'the strategy score is not shown to predict recovery: cross-validated AUC '
    || coalesce(cast(round(runs.cv_roc_auc, 3) as {{ dbt.type_string() }}), 'undefined')
    || ', 95% interval '
    || coalesce(cast(round(runs.cv_roc_auc_ci_low, 3) as {{ dbt.type_string() }}), '?') || ' to '
    || coalesce(cast(round(runs.cv_roc_auc_ci_high, 3) as {{ dbt.type_string() }}), '?')
    || ' (0.5 = chance); do not act on its strategies' as message
from runs
inner join strategy_runs
    on runs.run_id = strategy_runs.run_id
where not runs.is_score_predictive
