-- The morning's list of what moved: the loans whose risk band or recommended action this build changed, with the
-- old and new values, and the loans this build saw for the first time (after a first build). From strategy_history.

with

recorded as (
    select
        *,
        lag(risk_band) over (partition by loan_id order by built_at) as previous_risk_band,
        lag(strategy) over (partition by loan_id order by built_at) as previous_strategy,
        lag(recommended_action) over (partition by loan_id order by built_at) as previous_recommended_action,
        lag(risk_score) over (partition by loan_id order by built_at) as previous_risk_score,
        lag(built_at) over (partition by loan_id order by built_at) as previous_built_at
    from {{ ref('strategy_history') }}
),

this_build as (
    select
        *,
        case
            when previous_built_at is null then 'new loan'
            when coalesce(previous_risk_band <> risk_band, true) then 'band changed'
            -- an action appears, changes or ends (a resolved loan has none)
            when coalesce(
                previous_recommended_action <> recommended_action,
                previous_recommended_action is not null or recommended_action is not null
            ) then 'action changed'
        end as change_kind
    from recorded
    where build_id = '{{ invocation_id }}'
),

earlier_builds as (
    select count(*) as recorded_rows
    from {{ ref('strategy_history') }}
    where build_id <> '{{ invocation_id }}'
),

final as (
    select
        -- ids
        this_build.loan_id,
        -- build
        this_build.built_at,
        this_build.as_of_date,
        this_build.previous_built_at,
        -- what changed
        this_build.change_kind,
        -- old and new values
        this_build.previous_risk_band,
        this_build.risk_band,
        this_build.previous_strategy,
        this_build.strategy,
        this_build.previous_recommended_action,
        this_build.recommended_action,
        this_build.previous_risk_score,
        this_build.risk_score
    from this_build
    cross join earlier_builds
    where this_build.change_kind in ('band changed', 'action changed')
    or this_build.change_kind = 'new loan' and earlier_builds.recorded_rows > 0
)

select * from final
