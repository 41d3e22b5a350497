{#- The ledger's folder: the var `ledger_path`, empty when there is none. Left unset (null), the bundled sample's
    ledger with the bundled loan file and none with any other, so that a user's loans are never read beside the
    sample's payments; the `ledger_is_present` anchor in dbt_project.yml, whose configs cannot call a macro,
    repeats this default. -#}
{% macro ledger_path() -%}
    {%- set given = var('ledger_path') -%}
    {%- if given is none -%}
        {{ return('data/sample/ledger' if var('loan_recovery_path') == 'data/sample/loan_recovery.csv' else '') }}
    {%- endif -%}
    {{ return(given) }}
{%- endmacro %}

{#- Whether this build has a loan ledger: the same test as the `ledger_is_present` anchor that enables the ledger
    nodes in dbt_project.yml. -#}
{% macro ledger_is_present() -%}
    {{ return(ledger_path() != '') }}
{%- endmacro %}

{#- The path of one ledger file, for messages and lineage columns: `<ledger_path>/<table>.<ledger_format>`. -#}
{% macro ledger_file(table) -%}
    {{ return(ledger_path().rstrip('/') ~ '/' ~ table ~ '.' ~ var('ledger_format')) }}
{%- endmacro %}
