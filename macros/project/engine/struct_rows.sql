{#- Many values of one aggregation pass turned into rows: a list of structs built in a select, then unnested into
    one row per struct and one column per field. DuckDB writes list and struct literals and unnests them; Spark
    builds an array of named_structs and takes it apart with inline(). (A union of one select per row would do the
    same, but Spark's optimizer takes minutes over a plan of 144 unions.) -#}
{% macro struct_list(structs) -%}
    {{ return(adapter.dispatch('struct_list', 'loan_recovery')(structs)) }}
{%- endmacro %}

{% macro default__struct_list(structs) -%}
    [
    {%- for struct in structs %}
        { {%- for name, value in struct.items() %}'{{ name }}': {{ value }}{{ ", " if not loop.last }}{% endfor -%} }
        {{- "," if not loop.last }}
    {%- endfor %}
    ]
{%- endmacro %}

{% macro spark__struct_list(structs) -%}
    array(
    {%- for struct in structs %}
        named_struct({%- for name, value in struct.items() %}'{{ name }}', {{ value }}{{ ", " if not loop.last }}{% endfor -%})
        {{- "," if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{#- The select list that turns a column of struct_list() into one row per struct, one column per field. -#}
{% macro struct_list_rows(column) -%}
    {{ return(adapter.dispatch('struct_list_rows', 'loan_recovery')(column)) }}
{%- endmacro %}

{% macro default__struct_list_rows(column) -%}
    unnest({{ column }}, recursive := true)
{%- endmacro %}

{% macro spark__struct_list_rows(column) -%}
    inline({{ column }})
{%- endmacro %}
