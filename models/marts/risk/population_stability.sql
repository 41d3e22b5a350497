-- One row per variable (the score and each feature): how far the loans the model scored drifted from training.

with

measured as (
    select * from {{ ref('int_features_drift_measured') }}
),

final as (
    select
        -- ids
        cast(run_id as {{ dbt.type_string() }}) as run_id,
        cast(variable_name as {{ dbt.type_string() }}) as variable_name,
        -- drift
        cast(population_stability_index as double) as population_stability_index,
        population_stability_index > {{ number_var('max_population_stability_index', 0, 100) }} as is_drifted,
        cast(n_bins as {{ dbt.type_int() }}) as n_bins,
        cast(n_reference_rows as {{ dbt.type_bigint() }}) as n_reference_rows,
        cast(n_scored_rows as {{ dbt.type_bigint() }}) as n_scored_rows
    from measured
)

select * from final
