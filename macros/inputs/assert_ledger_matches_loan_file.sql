{#- Stops the build with one message when the ledger describes another book than the loan file: the share of
    ids that disagree (an order of the ledger or a loan of the loan file but not both, or an order whose issued
    amount differs from the loan's Loan_Amount by more than 1%) is above the var max_ledger_mismatch_share. Pairing a loan file with another ledger (the bundled sample's, by an old habit)
    would otherwise pass with warnings and train the models on another book's payments. Run before any table
    of the new inputs is written (int_loan_inputs_fingerprinted), so the previous tables stay in place. -#}
{% macro assert_ledger_matches_loan_file(loans, orders) %}
    {#- Skipped for a unit test's fixture, and where staging is not built (sqlfluff compiling the project). -#}
    {%- if execute and ledger_is_present() and not (loans | string).startswith('__dbt__cte__')
        and adapter.get_relation(loans.database, loans.schema, loans.identifier) is not none -%}
        {%- set limit = number_var('max_ledger_mismatch_share', 0, 1) -%}
        {#- One row per id; a repeated id (rejected later) counts by its first amount. -#}
        {%- set counts = run_query(
            "select count(*) filter (where loans.loan_id is null or orders.loan_id is null"
            ~ " or abs(loans.loan_amount - orders.issued_amount) > 0.01 * loans.loan_amount), count(*)"
            ~ " from (select loan_id, min(loan_amount) as loan_amount from " ~ loans
            ~ " where loan_id is not null group by loan_id) as loans"
            ~ " full outer join (select loan_id, min(issued_amount) as issued_amount from " ~ orders
            ~ " where loan_id is not null group by loan_id) as orders"
            ~ " on loans.loan_id = orders.loan_id"
        ).rows[0] -%}
        {%- set disagreeing, ids = counts[0], counts[1] -%}
        {%- if ids > 0 and disagreeing / ids > limit -%}
            {{ exceptions.raise_compiler_error(
                "ledger '" ~ ledger_path() ~ "' does not match loan file '" ~ var('loan_recovery_path') ~ "': "
                ~ disagreeing ~ " of " ~ ids ~ " ids ("
                ~ '%.1f' % (100 * disagreeing / ids) ~ "%) disagree (in one of them only, or issued and loan amounts 1% apart),"
                ~ " above max_ledger_mismatch_share " ~ limit
                ~ "; set ledger_path to this loan file's ledger, or to '' for none"
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
