{#- How the input files become readable relations for the sources. DuckDB reads each file in place through the
    source's `external_location` (models/staging/*/_*__sources.yml); Spark has no such reader, so each source table
    is registered as a Spark table over its file before any model runs (on-run-start), with the same vars
    (loan_recovery_path, ledger_path, ledger_format). CSV columns stay text (no schema inference), as DuckDB's
    all_varchar read does, so staging decides what is valid on both engines. -#}
{% macro register_input_files() %}
    {{ return(adapter.dispatch('register_input_files', 'loan_recovery')()) }}
{% endmacro %}

{% macro default__register_input_files() %}
    {{ return('') }}
{% endmacro %}

{% macro spark__register_input_files() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set loans_path = var('loan_recovery_path') -%}
    {%- set inputs = [('loan_recovery', 'loans', loans_path,
        'parquet' if loans_path.lower().endswith('.parquet') else 'csv')] -%}
    {%- if ledger_is_present() -%}
        {%- for table in ['orders', 'plan', 'payments'] -%}
            {%- do inputs.append(('ledger', table, ledger_file(table), var('ledger_format'))) -%}
        {%- endfor -%}
    {%- endif -%}
    {#- A relative path is read from the project directory, as on DuckDB (Spark would take the table's folder). -#}
    {%- set project_dir = env_var('DBT_PROJECT_DIR', env_var('PWD', '')).rstrip('/') -%}
    {%- for schema, table, given_path, file_format in inputs -%}
        {%- set path = given_path if ':' in given_path or given_path.startswith('/') else project_dir ~ '/' ~ given_path -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
        {%- do run_query(
            'create table ' ~ schema ~ '.' ~ table ~ ' using ' ~ file_format
            ~ " options (path '" ~ path | replace("\\", "\\\\") | replace("'", "\\'") ~ "'"
            ~ (", header 'true', multiLine 'false', mode 'PERMISSIVE'" if file_format == 'csv' else '') ~ ")"
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}

{#- Whether an input file exists, for assert_usable_input's message. On Spark the file was already opened when
    register_input_files made its table, which stops the build on a missing path with Spark's PATH_NOT_FOUND error
    naming the file. -#}
{% macro input_file_exists(file_path) %}
    {{ return(adapter.dispatch('input_file_exists', 'loan_recovery')(file_path)) }}
{% endmacro %}

{% macro default__input_file_exists(file_path) %}
    {{ return(run_query("select 1 from glob('" ~ file_path | replace("'", "''") ~ "')").rows | length > 0) }}
{% endmacro %}

{% macro spark__input_file_exists(file_path) %}
    {{ return(true) }}
{% endmacro %}
