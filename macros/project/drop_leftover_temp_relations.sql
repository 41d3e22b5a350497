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
