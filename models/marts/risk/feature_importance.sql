-- One row per risk model of the build and feature: how much held-out AUC the model loses when the feature is shuffled.

with

ranked as (
    select * from {{ ref('int_features_ranked') }}
),

final as (
    select
        -- ids
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(algorithm as {{ dbt.type_string() }}) as algorithm,
        cast(feature as {{ dbt.type_string() }}) as feature,
        -- importance
        cast(importance_rank as {{ dbt.type_int() }}) as importance_rank,
        cast(mean_auc_drop as double) as mean_auc_drop,
        cast(std_auc_drop as double) as std_auc_drop,
        cast(n_folds as {{ dbt.type_int() }}) as n_folds,
        cast(n_rows as {{ dbt.type_int() }}) as n_rows
    from ranked
)

select * from final
