{#- A lender's own loan file onto the warehouse's columns. Two small CSV files, named by the vars column_map_path
    and value_map_path (empty: none, the file has the warehouse's column names and values, as the bundled sample):

    - the column map (warehouse_column, source_column, kind): `Loan_Amount,funded_amnt,` reads the warehouse
      column Loan_Amount from the file's column funded_amnt; a warehouse_column the warehouse does not know, with
      kind numeric or categorical, is an extra model feature (loan_features.extra_features).
    - the value map (warehouse_column, source_value, warehouse_value): `Recovery_Status,bad,Written Off`; an
      empty warehouse_value is empty (an open loan for Recovery_Status). Values are matched ignoring case.

    Of the warehouse's columns only required_loan_columns() must be in the file; any other that is absent is empty
    for every loan, and the features built on it are left out of the model. A mapping that cannot be right stops
    the build with one message naming the mapping file and row. -#}

{#- The columns the warehouse cannot work without: a loan's key, its size and term, and its outcome to learn from. -#}
{% macro required_loan_columns() -%}
    {{ return(['Loan_ID', 'Loan_Amount', 'Loan_Tenure', 'Recovery_Status']) }}
{%- endmacro %}

{#- The loan file's column specs (loan_recovery_columns, each with `warehouse`, its warehouse name, `source`, the
    file's column read for it, `present`, and the value map `values`), then one spec per extra feature (`extra`:
    its name; parse `number` or `text`). Stops the build on a missing file, a missing required column or a bad
    mapping. At parse time, and for a unit test's given rows, the warehouse's own names, all present. -#}
{% macro mapped_loan_columns(relation, file_label, file_path) %}
    {%- set columns = [] -%}
    {%- for column in loan_recovery_columns() -%}
        {%- set spec = {} -%}
        {%- do spec.update(column) -%}
        {%- do spec.update({'warehouse': column.source, 'present': true, 'values': []}) -%}
        {%- do columns.append(spec) -%}
    {%- endfor -%}
    {%- if not execute or (relation | string).startswith('__dbt__cte__') -%}
        {{ return(columns) }}
    {%- endif -%}
    {%- if not input_file_exists(file_path) -%}
        {{ exceptions.raise_compiler_error(file_label ~ " does not exist") }}
    {%- endif -%}
    {%- set found = run_query('select * from ' ~ relation ~ ' limit 0').column_names -%}
    {%- set found_by_key = {} -%}
    {%- for name in found -%}
        {%- do found_by_key.update({name | lower: name}) -%}
    {%- endfor -%}
    {%- set map_path = var('column_map_path') -%}
    {%- set map_label = "column map '" ~ map_path ~ "'" -%}
    {%- set value_path = var('value_map_path') -%}
    {%- set value_label = "value map '" ~ value_path ~ "'" -%}
    {%- set map_rows = mapping_rows(map_path, ['warehouse_column', 'source_column', 'kind'], map_label) -%}
    {%- set value_rows = mapping_rows(value_path, ['warehouse_column', 'source_value', 'warehouse_value'], value_label) -%}
    {%- set by_warehouse = {} -%}
    {%- for column in columns -%}
        {%- do by_warehouse.update({column.warehouse | lower: column}) -%}
    {%- endfor -%}

    {#- The column map: each row is checked on its own, so the message names it. -#}
    {%- set mapped = {} -%}
    {%- set extras = [] -%}
    {%- for row in map_rows -%}
        {%- set where = map_label ~ " row " ~ row.row ~ " (" ~ row.warehouse_column ~ " <- " ~ row.source_column ~ ")" -%}
        {%- set key = row.warehouse_column | lower -%}
        {%- if row.warehouse_column == '' or row.source_column == '' -%}
            {{ exceptions.raise_compiler_error(where ~ ": both warehouse_column and source_column are needed") }}
        {%- endif -%}
        {%- if row.source_column | lower not in found_by_key -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": " ~ file_label ~ " has no column " ~ row.source_column ~ "; its columns are: "
                ~ found | join(", ")
            ) }}
        {%- endif -%}
        {%- if key in mapped -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": row " ~ mapped[key].row ~ " already maps " ~ mapped[key].source_column ~ " to "
                ~ row.warehouse_column ~ "; map one column to it"
            ) }}
        {%- endif -%}
        {%- do mapped.update({key: row}) -%}
        {%- if key in by_warehouse -%}
            {%- if row.kind != '' -%}
                {{ exceptions.raise_compiler_error(
                    where ~ ": " ~ row.warehouse_column ~ " is a warehouse column, which the warehouse types itself;"
                    ~ " leave kind empty (numeric and categorical are for extra features)"
                ) }}
            {%- endif -%}
            {%- do by_warehouse[key].update({'source': found_by_key[row.source_column | lower]}) -%}
        {%- elif row.kind not in ('numeric', 'categorical') -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": " ~ row.warehouse_column ~ " is not a warehouse column (" ~ by_warehouse.values()
                | map(attribute='warehouse') | join(", ") ~ "); to use it as an extra model feature, give its kind:"
                ~ " numeric or categorical"
            ) }}
        {%- elif not modules.re.match('^[A-Za-z][A-Za-z0-9_]*$', row.warehouse_column) -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": an extra feature's name is letters, digits and underscores, starting with a letter"
            ) }}
        {%- else -%}
            {%- do extras.append({
                'source': found_by_key[row.source_column | lower], 'warehouse': row.warehouse_column,
                'extra': row.warehouse_column, 'name': 'extra_feature_' ~ (extras | length + 1),
                'parse': 'number' if row.kind == 'numeric' else 'text', 'required': false, 'present': true,
                'values': [], 'row': row.row, 'where': where,
            }) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for column in columns -%}
        {%- do column.update({'present': column.source | lower in found_by_key}) -%}
        {%- if column.present -%}
            {%- do column.update({'source': found_by_key[column.source | lower]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for column in columns if column.warehouse in required_loan_columns() and not column.present -%}
        {%- do missing.append(column.warehouse) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            file_label ~ " is missing column(s) " ~ missing | join(", ") ~ "; its columns are: " ~ found | join(", ")
            ~ (" (a column map, var column_map_path, can name yours)" if map_path == '' else '')
        ) }}
    {%- endif -%}

    {%- do assert_usable_input(relation, [], file_label, file_path) -%}

    {#- The value map: every row names a column that is read, and a value once. -#}
    {%- set all_columns = columns + extras -%}
    {%- set seen_values = {} -%}
    {%- for row in value_rows -%}
        {%- set where = value_label ~ " row " ~ row.row ~ " (" ~ row.warehouse_column ~ ": " ~ row.source_value
            ~ " -> " ~ row.warehouse_value ~ ")" -%}
        {%- set targets = all_columns | selectattr('present') | selectattr('warehouse', 'equalto', row.warehouse_column)
            | list -%}
        {%- if not targets -%}
            {{ exceptions.raise_compiler_error(
                where ~ ": " ~ row.warehouse_column ~ " is not a column read from " ~ file_label
            ) }}
        {%- endif -%}
        {%- set value_key = row.warehouse_column ~ '|' ~ row.source_value | lower -%}
        {%- if value_key in seen_values -%}
            {{ exceptions.raise_compiler_error(where ~ ": row " ~ seen_values[value_key] ~ " already maps this value") }}
        {%- endif -%}
        {%- do seen_values.update({value_key: row.row}) -%}
        {%- do targets[0]['values'].append((row.source_value, row.warehouse_value)) -%}
    {%- endfor -%}

    {%- if map_path != '' or value_path != '' -%}
        {%- do assert_outcome_values_mapped(relation, by_warehouse['recovery_status'], mapped, map_label, value_label) -%}
    {%- endif -%}
    {%- for extra in extras if extra.parse == 'number' -%}
        {%- do assert_numeric_values(relation, extra, file_label) -%}
    {%- endfor -%}

    {%- set absent = columns | rejectattr('present') | map(attribute='warehouse') | list -%}
    {%- if absent -%}
        {%- do log(
            file_label ~ " has no column(s) " ~ absent | join(", ") ~ " (optional): empty for every loan, and the"
            ~ " model features built on them are left out (model_runs.features lists the features used)", info=true
        ) -%}
    {%- endif -%}
    {{ return(all_columns) }}
{% endmacro %}

{#- A mapping file's rows as dicts of trimmed text ('' when empty) with `row`, the 1-based row number (header
    excluded); [] when the path is empty. -#}
{% macro mapping_rows(path, expected_columns, label) %}
    {%- if path == '' -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if not input_file_exists(path) -%}
        {{ exceptions.raise_compiler_error(label ~ " does not exist") }}
    {%- endif -%}
    {%- set table = run_query(mapping_file_sql(path)) -%}
    {%- set names = table.column_names | map('lower') | list -%}
    {%- set missing = expected_columns | reject('in', names) | list -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            label ~ " is missing column(s) " ~ missing | join(", ") ~ "; its columns are: "
            ~ table.column_names | join(", ")
        ) }}
    {%- endif -%}
    {%- set rows = [] -%}
    {%- for values in table.rows -%}
        {%- set row = {'row': loop.index} -%}
        {%- for name in expected_columns -%}
            {%- set value = values[names.index(name)] -%}
            {%- do row.update({name: (value | string | trim) if value is not none else ''}) -%}
        {%- endfor -%}
        {%- do rows.append(row) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}

{% macro mapping_file_sql(path) -%}
    {{ return(adapter.dispatch('mapping_file_sql', 'loan_recovery')(path)) }}
{%- endmacro %}

{% macro default__mapping_file_sql(path) -%}
    select * from read_csv('{{ path | replace("'", "''") }}', header = true, all_varchar = true)
{%- endmacro %}

{#- Spark reads a CSV through a temporary view, registered here because the SQL runs on its own. -#}
{% macro spark__mapping_file_sql(path) -%}
    {%- do run_query(
        "create or replace temporary view loan_recovery_mapping_file using csv options (path '"
        ~ path | replace("\\", "\\\\") | replace("'", "\\'") ~ "', header 'true')"
    ) -%}
    select * from loan_recovery_mapping_file
{%- endmacro %}

{#- A mapped file's outcome must say, for every loan, open (empty) or one of the outcomes of the seed
    input_categories, once the value map has turned its values into the warehouse's. -#}
{% macro assert_outcome_values_mapped(relation, outcome, mapped, map_label, value_label) %}
    {%- set result = run_query(
        "select distinct outcome_value from (select " ~ mapped_text(outcome) ~ " as outcome_value from " ~ relation
        ~ ") as given where outcome_value is not null and " ~ category_key('outcome_value')
        ~ " not in (select " ~ category_key('category') ~ " from " ~ ref('input_categories')
        ~ " where source_column = 'Recovery_Status') order by outcome_value limit 10"
    ) -%}
    {%- set unmapped = result.columns[0].values() | list -%}
    {%- if unmapped -%}
        {%- set row = mapped.get('recovery_status') -%}
        {%- set where = (map_label ~ " row " ~ row.row ~ " (Recovery_Status <- " ~ row.source_column ~ ")")
            if row else "Recovery_Status (read from its own column)" -%}
        {%- set outcomes = run_query(
            "select category from " ~ ref('input_categories')
            ~ " where source_column = 'Recovery_Status' order by category_order"
        ).columns[0].values() | list -%}
        {{ exceptions.raise_compiler_error(
            where ~ ": outcome value(s) '" ~ unmapped | join("', '") ~ "' are not mapped to an outcome ("
            ~ outcomes | join(", ") ~ ", or empty for an open loan); add rows for them to the " ~ value_label
        ) }}
    {%- endif -%}
{% endmacro %}

{#- A numeric extra feature must hold numbers (or nothing) in every row. -#}
{% macro assert_numeric_values(relation, extra, file_label) %}
    {%- set result = run_query(
        "select count(*) as n_rows, min(given_value) as example from (select " ~ mapped_text(extra)
        ~ " as given_value from " ~ relation ~ ") as given where given_value is not null and "
        ~ dbt.safe_cast('given_value', dbt.type_float()) ~ " is null"
    ) -%}
    {%- set n_rows = result.rows[0]['n_rows'] -%}
    {%- if n_rows > 0 -%}
        {{ exceptions.raise_compiler_error(
            extra.where ~ ": the numeric feature " ~ extra.extra ~ " has text in " ~ n_rows ~ " row(s) of "
            ~ file_label ~ ", e.g. '" ~ result.rows[0]['example'] ~ "'; map the text to numbers in the value map,"
            ~ " or declare it categorical"
        ) }}
    {%- endif -%}
{% endmacro %}

{#- A column's text as staging reads it: cleaned (macros/inputs/parsing.sql), then its value map applied. -#}
{% macro mapped_text(column) -%}
    {%- set text = clean_text(adapter.quote(column.source)) -%}
    {%- if column.get('values') -%}
        case lower({{ text }})
            {%- for source_value, warehouse_value in column.get('values') %}
            when '{{ source_value | lower | replace("'", "''") }}' then
                {%- if warehouse_value == '' %} null{% else %} '{{ warehouse_value | replace("'", "''") }}'{% endif %}
            {%- endfor %}
            else {{ text }}
        end
    {%- else -%}
        {{ text }}
    {%- endif -%}
{%- endmacro %}

{#- The extra features of a row as one JSON object text ({"name": value}; numbers for numeric features, null when
    empty), so that loan_features keeps one column whatever a lender declares. -#}
{% macro extra_features_json(extras) -%}
    {{ return(adapter.dispatch('extra_features_json', 'loan_recovery')(extras)) }}
{%- endmacro %}

{% macro duckdb__extra_features_json(extras) -%}
    {%- if extras -%}
        cast(to_json(struct_pack(
            {%- for extra in extras %}
                {{ adapter.quote(extra.extra) }} := {{ extra.name }}{{ "," if not loop.last }}
            {%- endfor %}
        )) as varchar)
    {%- else -%}
        cast(null as varchar)
    {%- endif -%}
{%- endmacro %}

{% macro spark__extra_features_json(extras) -%}
    {%- if extras -%}
        to_json(named_struct(
            {%- for extra in extras %}
                '{{ extra.extra }}', {{ extra.name }}{{ "," if not loop.last }}
            {%- endfor %}
        ), map('ignoreNullFields', 'false'))
    {%- else -%}
        cast(null as string)
    {%- endif -%}
{%- endmacro %}

{#- The loan file's column specs (mapped_loan_columns on the file the var loan_recovery_path names), for staging
    and for reading a rejected row's original values. -#}
{% macro loan_file_columns() %}
    {%- set path = var('loan_recovery_path') -%}
    {{ return(mapped_loan_columns(source('loan_recovery', 'loans'), "loan file '" ~ path ~ "'", path)) }}
{% endmacro %}
