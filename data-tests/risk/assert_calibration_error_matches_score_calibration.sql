-- model_runs' expected calibration error is the loan-weighted mean |calibration_gap| of score_calibration's deciles,
-- for every run whose scores were last written by the build that fitted it (a saved model that scored loans since,
-- ml/refit_policy.py, keeps the error measured when it was fitted, while the book it scores moves on).

with

calibration as (
    select * from {{ ref('score_calibration') }}
),

runs as (
    select * from {{ ref('model_runs') }}
),

fitted_runs as (
    select run_id from runs
    where last_scoring_decision like 'fitted:%'
),

recomputed as (
    select
        run_id,
        sum(n_loans * abs(calibration_gap)) / sum(n_loans) as expected_calibration_error
    from calibration
    group by run_id
)

select
    runs.run_id,
    runs.expected_calibration_error,
    recomputed.expected_calibration_error as recomputed_error
from runs
inner join fitted_runs
    on runs.run_id = fitted_runs.run_id
inner join recomputed
    on runs.run_id = recomputed.run_id
where abs(runs.expected_calibration_error - recomputed.expected_calibration_error) > 1e-9
