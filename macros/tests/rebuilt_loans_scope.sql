{#- A data test's `where` config, as dbt applies it (dbt_project.yml's dispatch finds this before dbt's own), plus one
    scope for the uniqueness tests of the large incremental-by-loan tables: `meta: {scope: rebuilt_loans}`.

    On an incremental build such a test reads only the rows that share a key with a row of a loan the build
    rebuilt (int_loans_changed): a duplicate that build could have written has at least one such row. The other
    rows are the ones earlier builds wrote and tested. So a daily build checks its own work, at the cost of the
    day's loans rather than of the whole table (at 1M loans each of these tests grouped tens of millions of rows).
    Every row is read on a full refresh, on a model built whole each time (Spark makes these tables), and with var
    whole_table_tests, for a scheduled check of everything (docs/reliability.md, daily operation). -#}
{% macro default__get_where_subquery(relation) -%}
    {%- if not execute or model.config.meta.get('scope') != 'rebuilt_loans' or not tests_rebuilt_loans_only() -%}
        {{ return(dbt.default__get_where_subquery(relation)) }}
    {%- endif -%}
    {%- set where = config.get('where') -%}
    {%- set arguments = model.test_metadata.kwargs -%}
    {%- set keys = arguments.get('columns') or [arguments['column_name']] -%}
    {%- set scoped -%}
        (
            select tested.*
            from {{ relation }} as tested
            where {% if where %}({{ where }}) and {% endif %}exists (
                select 1
                from {{ relation }} as rebuilt
                where {{ loan_key('rebuilt.loan_id') }} in (select loan_key from {{ rebuilt_loans_relation() }})
                    {%- for key in keys %}
                    and tested.{{ key }} is not distinct from rebuilt.{{ key }}
                    {%- endfor %}
            )
        ) dbt_subquery
    {%- endset -%}
    {{ return(scoped) }}
{%- endmacro %}

{#- Whether the test running now may read the rebuilt loans' rows only: its model was built incrementally (a full
    refresh, or a model materialised as a table, rewrote every row) and var whole_table_tests is off. -#}
{% macro tests_rebuilt_loans_only() -%}
    {%- set tested = graph.nodes[model.attached_node] -%}
    {{ return(
        tested.config.materialized == 'incremental'
        and not flags.FULL_REFRESH
        and not (var('whole_table_tests') | string | lower == 'true')
    ) }}
{%- endmacro %}

{#- int_loans_changed's relation, from the graph: a ref() here, at run time, would be a dependency dbt did not see
    when it parsed the test. -#}
{% macro rebuilt_loans_relation() -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_loans_changed'] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}
