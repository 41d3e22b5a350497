{{ original_rows(source('ledger', 'orders'), ledger_orders_columns()) }}
