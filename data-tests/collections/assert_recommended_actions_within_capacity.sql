-- No action is recommended to more loans than its capacity per period (seed collection_actions): not in
-- recovery_strategy, the public surface, and not by either policy's plan (collection_plan's optimised_action and
-- band_action), both experiment arms together.

with

strategy as (
    select * from {{ ref('recovery_strategy') }}
    where is_open
),

plan as (
    select * from {{ ref('collection_plan') }}
),

actions as (
    select * from {{ ref('collection_actions') }}
),

recommended as (
    select
        'recovery_strategy' as surface,
        recommended_action as recommended,
        count(*) as loans
    from strategy
    group by recommended_action
    union all
    select
        'optimised policy' as surface,
        optimised_action as recommended,
        count(*) as loans
    from plan
    group by optimised_action
    union all
    select
        'bands policy' as surface,
        band_action as recommended,
        count(*) as loans
    from plan
    group by band_action
)

select
    recommended.surface,
    recommended.recommended,
    recommended.loans,
    actions.capacity_per_period
from recommended
inner join actions
    on recommended.recommended = actions.action
where recommended.loans > actions.capacity_per_period
