-- Append-only history of each loan's risk band, strategy, action and score: a row whenever a build finds a loan
-- new or any of these changed since the loan's latest row. Never rebuilt (full_refresh: false), so it survives
-- full refreshes of every other model; an append, so it needs no merge on any engine. Each row says which input it
-- came from: the loan file and ledger folder, and the fingerprint of the loan's input rows.

{{ config(full_refresh=false) }}

with

current_strategy as (
    select
        loan_id,
        risk_band,
        strategy,
        recommended_action,
        risk_score,
        run_id
    from {{ ref('recovery_strategy') }}
),

loan_inputs as (
    select * from {{ ref('int_loan_inputs_fingerprinted') }}
),

{% if is_incremental() -%}
latest_recorded as (
    select * from {{ this }}
    qualify row_number() over (partition by loan_id order by built_at desc) = 1
),
{%- endif %}

final as (
    select
        -- build
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as build_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as built_at,
        {{ date_var('as_of_date') }} as as_of_date,
        -- ids
        current_strategy.loan_id,
        -- strategy
        current_strategy.risk_band,
        current_strategy.strategy,
        current_strategy.recommended_action,
        current_strategy.risk_score,
        current_strategy.run_id,
        -- input
        cast('{{ var("loan_recovery_path") | replace("'", "''") }}' as {{ dbt.type_string() }}) as loan_file,
        cast('{{ ledger_path() | replace("'", "''") }}' as {{ dbt.type_string() }}) as ledger_folder,
        cast(loan_inputs.input_fingerprint as {{ dbt.type_string() }}) as input_fingerprint
    from current_strategy
    left join loan_inputs
        on current_strategy.loan_id = loan_inputs.loan_key
    {%- if is_incremental() %}
    left join latest_recorded
        on current_strategy.loan_id = latest_recorded.loan_id
    where
        latest_recorded.loan_id is null
        or current_strategy.risk_band is distinct from latest_recorded.risk_band
        or current_strategy.strategy is distinct from latest_recorded.strategy
        or current_strategy.recommended_action is distinct from latest_recorded.recommended_action
        or current_strategy.risk_score is distinct from latest_recorded.risk_score
        or current_strategy.run_id is distinct from latest_recorded.run_id
    {%- endif %}
)

select * from final
