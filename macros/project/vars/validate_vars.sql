{#- Vars are checked before they reach SQL or the ML step: a wrong value stops the build with one message naming
    the var and what it accepts. validate_vars runs before any model (on-run-start) for the vars the Python models
    read, which cannot raise a dbt error themselves, and for the ledger's file type; the vars that SQL reads are
    checked where they are used, by number_var and date_var below. -#}
{% macro validate_vars() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = [] -%}
    {#- The ML vars' accepted values come from the ml package (ml_var_choices below). -#}
    {%- set policies = ['bands', 'optimised'] -%}
    {%- set choices = {
        'ledger_format': ['csv', 'parquet'],
        'collection_policy': policies,
        'experiment_challenger_policy': policies,
        'whole_table_tests': ['True', 'False', 'true', 'false'],
    } -%}
    {%- for name, value in run_query(ml_var_choices()).rows -%}
        {%- do choices.setdefault(name, []).append(value) -%}
    {%- endfor -%}
    {%- for name, accepted in choices.items() if var(name) | string not in accepted -%}
        {%- do problems.append(name ~ " must be one of " ~ accepted | join(", ") ~ ", got '" ~ var(name) ~ "'") -%}
    {%- endfor -%}
    {%- set integers = {'cv_folds': (2, 50), 'random_state': (0, 2147483647)} -%}
    {%- if var('segment_count') | string != 'auto' -%}
        {%- do integers.update({'segment_count': (2, 50)}) -%}
    {%- endif -%}
    {#- Empty risk_training_rows: learn from every labelled loan. -#}
    {%- if var('risk_training_rows') | string != '' -%}
        {%- do integers.update({'risk_training_rows': (50, 2147483647)}) -%}
    {%- endif -%}
    {%- for name, bounds in integers.items() -%}
        {%- set value = var(name) | string -%}
        {%- if not modules.re.match('^[0-9]+$', value) or (value | int) < bounds[0] or (value | int) > bounds[1] -%}
            {%- do problems.append(
                name ~ " must be a whole number from " ~ bounds[0] ~ " to " ~ bounds[1]
                ~ (" or 'auto'" if name == 'segment_count' else "") ~ ", got '" ~ value ~ "'"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not modules.re.match('^[0-9a-f]*$', var('risk_model_run_id') | string) -%}
        {%- do problems.append("risk_model_run_id must be a run_id from model_runs (hex digits) or empty") -%}
    {%- endif -%}
    {%- if not modules.re.match('^[A-Za-z0-9_.-]*$', var('experiment_id') | string) -%}
        {%- do problems.append("experiment_id must be letters, digits, '_', '-' or '.' (empty: no experiment)") -%}
    {%- endif -%}
    {%- if var('experiment_id') | string != '' and var('experiment_challenger_policy') == var('collection_policy') -%}
        {%- do problems.append(
            "experiment_challenger_policy must differ from collection_policy (the champion), both are '"
            ~ var('collection_policy') ~ "'"
        ) -%}
    {%- endif -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("invalid vars: " ~ problems | join("; ")) }}
    {%- endif -%}
{% endmacro %}

{#- A var that reaches SQL as a number is checked here first: a wrong value stops the build with a message
    naming the var, and only a number is ever written into SQL. -#}
{% macro number_var(name, min_value, max_value) -%}
    {%- set raw = var(name) -%}
    {%- set value = raw | float(default=none) -%}
    {%- if value is none or value < min_value or value > max_value -%}
        {{ exceptions.raise_compiler_error(
            "var '" ~ name ~ "' must be a number between " ~ min_value ~ " and " ~ max_value ~ ", got '" ~ raw ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- A var holding a date (YYYY-MM-DD), checked and written into SQL as a date literal. -#}
{% macro date_var(name) -%}
    {%- set value = var(name) | string -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be a date as YYYY-MM-DD, got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{%- endmacro %}

{#- The query of the ML vars' accepted values (var_name, accepted_value), defined once in the ml package
    (ml.var_choices.VAR_CHOICES). On DuckDB the package's dbt-duckdb plugin serves them as the table macro
    ml_var_choices(); on Spark the ML job's `prepare` step (ml/spark_job.py) writes them to the table
    ml.var_choices before dbt runs. -#}
{% macro ml_var_choices() -%}
    {{ return(adapter.dispatch('ml_var_choices', 'loan_recovery')()) }}
{%- endmacro %}

{% macro default__ml_var_choices() -%}
    select var_name, accepted_value from ml_var_choices()
{%- endmacro %}

{% macro spark__ml_var_choices() -%}
    select var_name, accepted_value from ml.var_choices
{%- endmacro %}
