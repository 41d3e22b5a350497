{#- Incremental builds keyed by loan. The models that follow a loan's inputs (validated rows, the position at the
    observation point, features, scores, reason codes) rebuild only the loans whose inputs changed since the last
    complete build, and the open loans when the as-of date moved (int_loans_changed), configured once in
    dbt_project.yml (anchor `incremental_by_loan`).

    The state: `int_loan_inputs_fingerprinted` holds every loan's current input fingerprint; a copy of it, the
    fingerprints the incremental tables were last completely built from, is the table
    `int_loan_inputs_fingerprinted_built` (loan_inputs_built_relation), written only by the on-run-end hook of a
    build in which int_loans_changed and every incremental-by-loan model succeeded (record_built_loan_inputs).
    int_loans_changed forgets the state of the loans it selects as soon as it is built (forget_rebuilt_loan_inputs),
    so that a build killed or failed half way leaves them selected for the next build, even if their inputs then
    return to what they were. -#}

{#- The relation of the built-fingerprint state: next to int_loan_inputs_fingerprinted, not a dbt node. -#}
{% macro loan_inputs_built_relation() -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_loan_inputs_fingerprinted'] -%}
    {{ return(api.Relation.create(
        database=node.database, schema=node.schema, identifier=node.alias ~ '_built', type='table'
    )) }}
{%- endmacro %}

{#- The state relation if it exists (none before the first complete build). -#}
{% macro existing_loan_inputs_built() -%}
    {%- if not execute -%}{{ return(none) }}{%- endif -%}
    {%- set built = loan_inputs_built_relation() -%}
    {{ return(adapter.get_relation(database=built.database, schema=built.schema, identifier=built.identifier)) }}
{%- endmacro %}

{#- What the per-loan results depend on besides the loan's own rows and the as-of date: a change of any of these
    vars rebuilds every loan. Changes of the models' code need `dbt build --full-refresh`, as for any incremental
    model. The as-of date is compared on its own (int_loans_changed): it moves every loan's position, but only
    the open loans' features. -#}
{% macro loan_build_context() -%}
    {{- return(tojson({
        'repayment_tolerance': var('repayment_tolerance'),
        'performance_window_months': var('performance_window_months'),
        'ledger': ledger_is_present(),
    })) -}}
{%- endmacro %}

{#- The key of a loan's rows in the incremental state: its id, or '' for rows without one (rejected rows), which
    are rebuilt together. -#}
{% macro loan_key(loan_id_column) -%}
    coalesce({{ loan_id_column }}, '')
{%- endmacro %}

{#- The keys of the loans this incremental-by-loan model rebuilds (int_loans_changed): the validated tables
    (`*_validated`), which depend on the input rows only, those whose inputs changed; the models from the
    observation point on, those whose features may have changed. -#}
{% macro rebuilt_loan_keys() -%}
    select loan_key from {{ ref('int_loans_changed') }}
    {%- if model.name.endswith('_validated') %} where has_changed_inputs{% endif %}
{%- endmacro %}

{#- A condition for the rows an incremental-by-loan model (re)builds: all of them on a full build, the rows of the
    rebuilt loans on an incremental one. Always refs int_loans_changed, so that dbt orders the model after it. -#}
{% macro loan_is_rebuilt(loan_id_column) -%}
    {%- set changed = ref('int_loans_changed') -%}
    {%- if is_incremental() -%}
        {{ loan_key(loan_id_column) }} in ({{ rebuilt_loan_keys() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of every incremental-by-loan model: removes the rebuilt loans' rows, including loans that no longer
    have any (a vanished loan, an order now rejected); dbt's delete+insert then adds the rebuilt rows. The Python
    models (scores, reasons) return a row for every rebuilt loan still in loan_features and read their table's
    other rows first (which run scores the book): for them only the loans gone from loan_features are removed. -#}
{% macro delete_rebuilt_loans() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ loan_key('loan_id') }} in ({{ rebuilt_loan_keys() }})
        {%- if model.language == 'python' %}
            and loan_id not in (select loan_id from {{ ref('loan_features') }})
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of int_loans_changed: drops the state of the loans about to be rebuilt (see the top of this file). -#}
{% macro forget_rebuilt_loan_inputs() -%}
    {%- set built = existing_loan_inputs_built() -%}
    {%- if built is not none -%}
        delete from {{ built }} where loan_key in (select loan_key from {{ this }})
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: after a build in which int_loans_changed and every incremental-by-loan model succeeded, the
    current fingerprints become the state the next build compares with. Where no model is incremental (Spark,
    whose tables are rebuilt whole), there is no state. -#}
{% macro record_built_loan_inputs(results) -%}
    {%- if execute -%}
        {%- set incremental = [] -%}
        {%- for node in graph.nodes.values() -%}
            {%- if node.resource_type == 'model' and node.config.materialized == 'incremental'
                and node.config.unique_key == 'loan_id' -%}
                {%- do incremental.append(node.unique_id) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set required = incremental + ['model.' ~ project_name ~ '.int_loans_changed'] -%}
        {%- set succeeded = results | selectattr('status', 'equalto', 'success')
            | map(attribute='node.unique_id') | list -%}
        {%- set missing = required | reject('in', succeeded) | list -%}
        {%- if incremental and not missing -%}
            {%- set node = graph.nodes['model.' ~ project_name ~ '.int_loan_inputs_fingerprinted'] -%}
            {%- set current = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- do run_query('create or replace table ' ~ loan_inputs_built_relation() ~ ' as select * from ' ~ current) -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
