{#- Whether this build has a loan ledger: the bundled sample has one; a user file has one when `ledger_path`
    names its folder. Without it the warehouse builds from the loan snapshot alone. -#}
{% macro ledger_is_present() -%}
    {{ return(var('ledger_path') != '' or var('loan_recovery_path') == '') }}
{%- endmacro %}

{#- The relation to read one ledger table from: the sample seed, or `<ledger_path>/<table>.parquet` or `.csv`,
    whichever exists, read in place by DuckDB. A folder without the table stops the build naming both. -#}
{% macro ledger_input(table) -%}
    {%- set folder = var('ledger_path') -%}
    {%- if folder == '' -%}
        {{ return(ref(table)) }}
    {%- endif -%}
    {%- set base = (folder.rstrip('/') ~ '/' ~ table) | replace("'", "''") -%}
    {%- if not execute -%}
        {{ return("read_csv('" ~ base ~ ".csv')") }}
    {%- endif -%}
    {%- set found = run_query(
        "select file from glob('" ~ base ~ ".parquet') union all select file from glob('" ~ base ~ ".csv')"
    ).columns[0].values() -%}
    {%- if found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "ledger folder '" ~ folder ~ "' has no " ~ table ~ ".parquet or " ~ table ~ ".csv"
        ) }}
    {%- elif found[0].endswith('.parquet') -%}
        {{ return("read_parquet('" ~ base ~ ".parquet')") }}
    {%- else -%}
        {{ return("read_csv('" ~ base ~ ".csv', header = true, all_varchar = true, max_line_size = 33554432)") }}
    {%- endif -%}
{%- endmacro %}
