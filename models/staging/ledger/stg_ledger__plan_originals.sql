{{ original_rows(source('ledger', 'plan'), ledger_plan_columns()) }}
