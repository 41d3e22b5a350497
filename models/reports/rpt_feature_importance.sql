-- Permutation importance of the fit whose score drives the strategies (the comparison fits of the same build are
-- in model_runs), with how many features cost nothing when shuffled.

with

feature_importance as (
    select * from {{ ref('feature_importance') }}
),

scoring_run as (
    select any_value(run_id) as run_id
    from {{ ref('risk_scores') }}
),

final as (
    select
        -- grain
        feature_importance.feature,
        -- fit
        feature_importance.algorithm,
        feature_importance.importance_rank,
        -- importance
        feature_importance.mean_auc_drop,
        feature_importance.std_auc_drop,
        -- whole fit
        count(*) over () as features_ranked,
        count(case when feature_importance.mean_auc_drop <= 0 then 1 end) over () as features_without_effect
    from feature_importance
    inner join scoring_run on feature_importance.run_id = scoring_run.run_id
)

select * from final
