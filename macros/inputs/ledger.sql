{#- Whether this build has a loan ledger: the var `ledger_path` names its folder, and is empty when there is none.
    The same test as the `ledger_is_present` anchor that enables the ledger nodes in dbt_project.yml, whose
    configs cannot call a macro. -#}
{% macro ledger_is_present() -%}
    {{ return(var('ledger_path') != '') }}
{%- endmacro %}

{#- The path of one ledger file, for messages and lineage columns: `<ledger_path>/<table>.<ledger_format>`. -#}
{% macro ledger_file(table) -%}
    {{ return(var('ledger_path').rstrip('/') ~ '/' ~ table ~ '.' ~ var('ledger_format')) }}
{%- endmacro %}
