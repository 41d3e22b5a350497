-- Champion/challenger scoreboard: per experiment and arm, what the arm's loans paid in the ledger after they were
-- assigned (after the build's as-of date that assigned them, and not before the experiment's start date; to the
-- as-of date), net of the actions' cost, and the challenger's difference in net
-- value per loan with a 95% confidence interval (normal approximation, unequal variances).
{%- set min_loans = number_var('experiment_min_loans_per_arm', 2, 1000000000) | int %}

with

assignments as (
    select
        *,
        -- a loan's outcome counts from the day after its assignment, and never before the start date
        greatest(experiment_start_date, cast({{ dbt.dateadd('day', 1, 'assigned_as_of_date') }} as date))
            as measured_from
    from {{ ref('collection_experiment_assignments') }}
),

payments as (
    {{ accepted_rows(ref('int_ledger_payments_validated')) }}
),

repayment as (
    select * from {{ ref('loan_repayment') }}
),

paid_after_start as (
    select
        assignments.experiment_id,
        assignments.loan_id,
        sum(payments.paid_amount) as amount_recovered
    from assignments
    inner join payments
        on assignments.loan_id = payments.loan_id
        and cast(payments.paid_at as date) >= assignments.measured_from
        and cast(payments.paid_at as date) <= {{ date_var('as_of_date') }}
    group by assignments.experiment_id, assignments.loan_id
),

loan_outcomes as (
    select
        assignments.experiment_id,
        assignments.arm,
        assignments.arm_policy,
        assignments.loan_id,
        assignments.exposure_at_assignment,
        assignments.action_cost,
        assignments.measured_from,
        cast(coalesce(paid_after_start.amount_recovered, 0) as double) as amount_recovered,
        assignments.days_past_due_at_assignment > 0 as was_past_due,
        assignments.days_past_due_at_assignment > 0 and repayment.days_past_due = 0 as is_cured
    from assignments
    left join paid_after_start
        on assignments.experiment_id = paid_after_start.experiment_id
        and assignments.loan_id = paid_after_start.loan_id
    left join repayment
        on assignments.loan_id = repayment.loan_id
),

arms as (
    select
        experiment_id,
        arm,
        arm_policy,
        min(measured_from) as measured_from,
        count(*) as loans,
        sum(exposure_at_assignment) as exposure,
        sum(amount_recovered) as amount_recovered,
        count(case when was_past_due then 1 end) as past_due_loans,
        count(case when is_cured then 1 end) as cured_loans,
        sum(action_cost) as total_cost,
        avg(amount_recovered - action_cost) as net_value_per_loan,
        coalesce(var_samp(amount_recovered - action_cost), 0) as net_value_variance
    from loan_outcomes
    group by experiment_id, arm, arm_policy
),

compared as (
    select
        challenger.experiment_id,
        challenger.net_value_per_loan - champion.net_value_per_loan as net_value_difference,
        sqrt(challenger.net_value_variance / challenger.loans + champion.net_value_variance / champion.loans)
            as difference_standard_error,
        least(challenger.loans, champion.loans) as smallest_arm_loans
    from arms as challenger
    inner join arms as champion
        on challenger.experiment_id = champion.experiment_id
        and challenger.arm = 'challenger'
        and champion.arm = 'champion'
),

with_interval as (
    select
        *,
        net_value_difference - 1.96 * difference_standard_error as difference_ci_low,
        net_value_difference + 1.96 * difference_standard_error as difference_ci_high
    from compared
),

final as (
    select
        -- grain
        arms.experiment_id,
        arms.arm,
        arms.arm_policy,
        -- window
        arms.measured_from,
        {{ date_var('as_of_date') }} as measured_to,
        -- the arm
        arms.loans,
        arms.exposure,
        arms.amount_recovered,
        arms.amount_recovered / arms.loans as recovered_per_loan,
        arms.amount_recovered / nullif(arms.exposure, 0) as recovered_per_unit_exposure,
        arms.past_due_loans,
        arms.cured_loans,
        cast(arms.cured_loans as double) / nullif(arms.past_due_loans, 0) as cure_rate,
        arms.total_cost,
        arms.net_value_per_loan,
        -- challenger - champion, the same on both rows of an experiment
        with_interval.net_value_difference,
        with_interval.difference_ci_low,
        with_interval.difference_ci_high,
        coalesce(
            {{ date_var('as_of_date') }} >= arms.measured_from
            and with_interval.smallest_arm_loans >= {{ min_loans }}
            and (with_interval.difference_ci_low > 0 or with_interval.difference_ci_high < 0),
            false
        ) as is_conclusive,
        case
            when {{ date_var('as_of_date') }} < arms.measured_from
                then 'Not started: no day after the assignment and the start date has passed by the as-of date'
            when with_interval.experiment_id is null then 'Only one arm has loans: nothing to compare'
            when with_interval.smallest_arm_loans < {{ min_loans }}
                then 'Sample too small to conclude: '
                || cast(with_interval.smallest_arm_loans as {{ dbt.type_string() }})
                || ' loans in the smaller arm, fewer than {{ min_loans }}'
            when with_interval.difference_ci_low > 0 then 'The challenger recovers more net per loan'
            when with_interval.difference_ci_high < 0 then 'The champion recovers more net per loan'
            else 'No difference shown yet: the 95% interval includes zero; the sample is too small to conclude'
        end as conclusion
    from arms
    left join with_interval
        on arms.experiment_id = with_interval.experiment_id
)

select * from final
