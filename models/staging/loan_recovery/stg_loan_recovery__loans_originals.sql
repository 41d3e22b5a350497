-- depends_on: {{ ref('input_categories') }} (the loan file's column specs check its values against it)
{{ original_rows(source('loan_recovery', 'loans'), loan_file_columns()) }}
