{#- dbt's temporary relations (`<model>__dbt_tmp...`) can outlive a build: a killed build leaves them, and so do
    dbt-duckdb's incremental Python models. Run at the start and end of every build, so none lingers next to the
    public tables. -#}
{% macro drop_leftover_temp_relations() %}
    {{ return(adapter.dispatch('drop_leftover_temp_relations', 'loan_recovery')()) }}
{% endmacro %}

{#- dbt-spark's temporary relations are session views, gone with the session: nothing can linger. -#}
{% macro spark__drop_leftover_temp_relations() %}
    {{ return('') }}
{% endmacro %}

{% macro default__drop_leftover_temp_relations() %}
    {%- if execute -%}
        {%- set leftovers = run_query(
            "select table_schema, table_name, table_type from information_schema.tables"
            ~ " where table_catalog = '" ~ target.database ~ "' and table_name like '%\\_\\_dbt\\_tmp%' escape '\\'"
        ) -%}
        {%- for schema, name, table_type in leftovers.rows -%}
            {%- do run_query(
                "drop " ~ ("view" if table_type == "VIEW" else "table") ~ " if exists "
                ~ adapter.quote(schema) ~ "." ~ adapter.quote(name)
            ) -%}
            {{- log("dropped leftover " ~ schema ~ "." ~ name, info=true) -}}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- Tables and views of models no longer enabled (the ledger's, after a build with ledger_path switched to empty)
    outlive the build too, holding the previous input's loans beside tables of the new one. Dropped at the end of
    a build in which nothing failed (a failed build leaves the warehouse as it found it, for the next one to
    finish): in the schemas of this project's models, every relation that is not one of its enabled models, seeds
    or snapshots, nor the incremental state (macros/project/incremental/incremental_by_loan.sql). -#}
{% macro drop_relations_of_disabled_models(results) %}
    {{ return(adapter.dispatch('drop_relations_of_disabled_models', 'loan_recovery')(results)) }}
{% endmacro %}

{#- Spark: not yet; a table of a disabled model stays until dropped by hand (docs/reliability.md). -#}
{% macro spark__drop_relations_of_disabled_models(results) %}
    {{ return('') }}
{% endmacro %}

{% macro default__drop_relations_of_disabled_models(results) %}
    {%- set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list -%}
    {%- if execute and not failed -%}
        {%- set state = loan_inputs_built_relation() -%}
        {%- set kept = [(state.schema ~ '.' ~ state.identifier) | lower] -%}
        {%- set schemas = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type in ['model', 'seed', 'snapshot'] -%}
            {%- do kept.append((node.schema ~ '.' ~ (node.alias or node.name)) | lower) -%}
            {%- if node.schema | lower not in schemas -%}
                {%- do schemas.append(node.schema | lower) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set relations = run_query(
            "select table_schema, table_name, table_type from information_schema.tables"
            ~ " where table_catalog = '" ~ target.database ~ "'"
            ~ " and lower(table_schema) in ('" ~ schemas | join("', '") ~ "')"
        ) -%}
        {%- for schema, name, table_type in relations.rows
            if (schema ~ '.' ~ name) | lower not in kept and '__dbt_tmp' not in name -%}
            {%- do adapter.drop_relation(api.Relation.create(
                database=target.database, schema=schema, identifier=name,
                type=('view' if table_type == 'VIEW' else 'table')
            )) -%}
            {{- log("dropped " ~ schema ~ "." ~ name ~ ", whose model is not enabled in this build", info=true) -}}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
