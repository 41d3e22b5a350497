{#- The input formats: for every source table (models/staging/*/_*__sources.yml), its columns in file order, how
    each one is parsed and whether a row is unusable without it. Staging reads these lists; they are the one place
    that knows the formats. The values a category column accepts are reference data: the seed input_categories. -#}

{#- The 21 columns of a loan-recovery snapshot file. -#}
{% macro loan_recovery_columns() -%}
    {{ return([
        {'source': 'Borrower_ID', 'required': true, 'name': 'borrower_id', 'parse': 'text'},
        {'source': 'Age', 'required': false, 'name': 'age', 'parse': 'count'},
        {'source': 'Gender', 'required': false, 'name': 'gender', 'parse': 'category'},
        {'source': 'Employment_Type', 'required': true, 'name': 'employment_type', 'parse': 'category'},
        {'source': 'Monthly_Income', 'required': true, 'name': 'monthly_income', 'parse': 'amount'},
        {'source': 'Num_Dependents', 'required': false, 'name': 'num_dependents', 'parse': 'count'},
        {'source': 'Loan_ID', 'required': true, 'name': 'loan_id', 'parse': 'text'},
        {'source': 'Loan_Amount', 'required': true, 'name': 'loan_amount', 'parse': 'amount'},
        {'source': 'Loan_Tenure', 'required': true, 'name': 'loan_tenure_months', 'parse': 'count'},
        {'source': 'Interest_Rate', 'required': true, 'name': 'interest_rate_pct', 'parse': 'rate'},
        {'source': 'Loan_Type', 'required': true, 'name': 'loan_type', 'parse': 'category'},
        {'source': 'Collateral_Value', 'required': true, 'name': 'collateral_value', 'parse': 'amount'},
        {'source': 'Outstanding_Loan_Amount', 'required': true, 'name': 'outstanding_loan_amount', 'parse': 'amount'},
        {'source': 'Monthly_EMI', 'required': true, 'name': 'monthly_emi', 'parse': 'amount'},
        {'source': 'Payment_History', 'required': true, 'name': 'payment_history', 'parse': 'category'},
        {'source': 'Num_Missed_Payments', 'required': true, 'name': 'num_missed_payments', 'parse': 'count'},
        {'source': 'Days_Past_Due', 'required': true, 'name': 'days_past_due', 'parse': 'count'},
        {'source': 'Recovery_Status', 'required': false, 'name': 'recovery_status', 'parse': 'category'},
        {'source': 'Collection_Attempts', 'required': false, 'name': 'collection_attempts', 'parse': 'count'},
        {'source': 'Collection_Method', 'required': false, 'name': 'collection_method', 'parse': 'category'},
        {'source': 'Legal_Action_Taken', 'required': false, 'name': 'is_legal_action_taken', 'parse': 'flag'},
    ]) }}
{%- endmacro %}

{#- The loan ledger (the LoanTrack360 format): issued loans, their cumulative repayment plan, payments made. -#}
{% macro ledger_orders_columns() -%}
    {{ return([
        {'source': 'order_id', 'required': true, 'name': 'loan_id', 'parse': 'text'},
        {'source': 'created_at', 'required': false, 'name': 'created_at', 'parse': 'timestamp'},
        {'source': 'put_at', 'required': true, 'name': 'issued_at', 'parse': 'timestamp'},
        {'source': 'closed_at', 'required': false, 'name': 'closed_at', 'parse': 'timestamp'},
        {'source': 'issued_sum', 'required': true, 'name': 'issued_amount', 'parse': 'amount'},
    ]) }}
{%- endmacro %}

{% macro ledger_plan_columns() -%}
    {{ return([
        {'source': 'order_id', 'required': true, 'name': 'loan_id', 'parse': 'text'},
        {'source': 'plan_at', 'required': true, 'name': 'due_on', 'parse': 'date'},
        {'source': 'plan_sum_total', 'required': true, 'name': 'cumulative_due_amount', 'parse': 'amount'},
    ]) }}
{%- endmacro %}

{% macro ledger_payments_columns() -%}
    {{ return([
        {'source': 'order_id', 'required': true, 'name': 'loan_id', 'parse': 'text'},
        {'source': 'paid_at', 'required': true, 'name': 'paid_at', 'parse': 'timestamp'},
        {'source': 'paid_sum', 'required': true, 'name': 'paid_amount', 'parse': 'amount'},
    ]) }}
{%- endmacro %}
