{#- Incremental builds keyed by loan. The models that follow a loan's inputs (validated rows, the position at the
    observation point, the month ends, features, scores, reason codes) rebuild only the loans whose inputs
    changed since the last complete build, and the open loans when the as-of date moved (int_loans_changed),
    configured in each model's YAML (anchor `incremental_by_loan`), the two Python models' in dbt_project.yml.

    The state: `int_loan_inputs_fingerprinted` holds every loan's current input fingerprint; a copy of it, the
    fingerprints the incremental tables were last completely built from, is the table
    `int_loan_inputs_fingerprinted_built` (loan_inputs_built_relation), written only by the on-run-end hook of a
    build in which int_loans_changed and every incremental-by-loan model succeeded (record_built_loan_inputs).
    int_loans_changed marks the loans it selects as unbuilt in that state as soon as it is built
    (forget_rebuilt_loan_inputs), so that a build killed or failed half way leaves them selected for the next build,
    even if their inputs then return to what they were or the loans leave the input.

    Whole rebuilds: a change that makes per-loan comparison meaningless (the build context below: model vars,
    ledger on or off, its format; or an as-of date moved back) drops the state before any model runs
    (forget_stale_loan_inputs), and without a state every incremental-by-loan model deletes all its rows first, so
    it is rebuilt whole, as in a fresh build, until a build completes. -#}

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
    vars, or of whether there is a ledger and its format, rebuilds the incremental models whole. The loan file's
    and ledger's paths are not part of it: the per-loan fingerprints compare their content, so another day's folder
    or another file is rebuilt loan by loan. Changes of the models' code need `dbt build --full-refresh`, as for
    any incremental model. The as-of date is compared on its own (int_loans_changed): moved forward it moves every
    loan's position, but only the open loans' features; moved back it rebuilds whole. risk_model_run_id is part of
    it: the scoring step keeps every score when no loan changed, so naming another saved model must rebuild. -#}
{% macro loan_build_context() -%}
    {%- set names = [
        'repayment_tolerance', 'observation_months_on_book', 'observation_frequency_months', 'ledger_format',
        'segmentation_algorithm', 'segment_count', 'risk_target', 'risk_algorithm', 'compare_risk_algorithms',
        'risk_training_rows', 'risk_model_run_id', 'high_risk_threshold', 'cv_folds', 'random_state',
    ] -%}
    {%- set context = {'ledger': ledger_is_present()} -%}
    {%- for name in names -%}
        {%- do context.update({name: var(name) | string}) -%}
    {%- endfor -%}
    {#- Written into SQL string literals: a quote in a var (checked later, where it is used) stays inside. -#}
    {{- return(tojson(context, sort_keys=true) | replace("'", "''")) -}}
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
    other rows first (which run scores the book): for them only the loans gone from loan_features are removed,
    and, from int_loans_explained while its config explain_resolved_loans is off, the rebuilt loans no longer open
    (it explains open loans only).
    Without a state (first build after a whole-input change, see the top of this file) every row is removed: the
    model is rebuilt whole, and the scores are fitted afresh as in a fresh build. Configured to run outside the
    model's transaction (dbt_project.yml): dbt-duckdb rolls that transaction back on the way to an incremental
    Python model's insert, which silently undid this delete and kept removed loans' scores. -#}
{% macro delete_rebuilt_loans() -%}
    {%- if is_incremental() and existing_loan_inputs_built() is none -%}
        delete from {{ this }}
    {%- elif is_incremental() -%}
        delete from {{ this }} where {{ loan_key('loan_id') }} in ({{ rebuilt_loan_keys() }})
        {%- if model.language == 'python' %}
            {%- set resolved = model.config.get('explain_resolved_loans') %}
            and loan_id not in (
                select loan_id from {{ ref('loan_features') }}
                {%- if resolved is not none and (resolved | string | lower) != 'true' %} where is_open{% endif %}
            )
        {%- endif %}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of int_loans_changed: marks the loans about to be rebuilt as unbuilt in the state (a null fingerprint,
    which compares as changed), new loans included, so that a failed build's loans are rebuilt by the next one,
    and removed by it if they are gone from its input (see the top of this file). -#}
{% macro forget_rebuilt_loan_inputs() -%}
    {%- set built = existing_loan_inputs_built() -%}
    {%- if built is not none -%}
        delete from {{ built }} where loan_key in (select loan_key from {{ this }});
        insert into {{ built }} (loan_key, input_fingerprint, is_open_in_ledger, build_context, as_of_date)
        select loan_key, null, false, '{{ loan_build_context() }}', {{ date_var('as_of_date') }}
        from {{ this }}
    {%- endif -%}
{%- endmacro %}

{#- on-run-start: drops the state when this build's context differs from the one it was built with, or its as-of
    date is earlier: the incremental-by-loan models are then rebuilt whole (delete_rebuilt_loans), and stay so
    until a build completes, however many builds fail or are killed in between. -#}
{% macro forget_stale_loan_inputs() -%}
    {%- set built = existing_loan_inputs_built() -%}
    {%- if built is not none -%}
        {%- set stale = run_query(
            "select count(*) from " ~ built ~ " where build_context <> '" ~ loan_build_context() ~ "'"
            ~ " or as_of_date > " ~ date_var('as_of_date')
        ).columns[0].values()[0] -%}
        {%- if stale > 0 -%}
            {#- Through the adapter, so that dbt's relation cache forgets it too. -#}
            {%- do adapter.drop_relation(built) -%}
            {%- do adapter.commit() -%}
            {{- log('inputs or vars changed since the last complete build: incremental models rebuild whole', info=true) -}}
        {%- endif -%}
    {%- endif -%}
    {{ return('') }}
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
