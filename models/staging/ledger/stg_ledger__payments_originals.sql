{{ original_rows(source('ledger', 'payments'), ledger_payments_columns()) }}
