-- One row per usable loan: delinquency bucket, regulatory asset class, EMI-to-income, loan-to-value, credit
-- score, and expected loss = probability of default x loss given default x exposure at default.

with

loans as (
    select * from {{ ref('recovery_strategy') }}
),

features as (
    select * from {{ ref('loan_features') }}
),

dpd_classes as (
    select * from {{ ref('dpd_classes') }}
),

loss_severity as (
    select * from {{ ref('int_loan_types_loss_severity') }}
),

classified as (
    select
        loans.*,
        buckets.class_name as delinquency_bucket,
        buckets.class_order as delinquency_bucket_order,
        asset_classes.class_name as asset_class,
        asset_classes.is_npa,
        features.emi_to_income_ratio,
        features.loan_to_value_ratio
    from loans
    inner join features
        on loans.loan_id = features.loan_id
    left join dpd_classes as buckets
        on buckets.scheme = 'delinquency_bucket'
        and {{ days_past_due_in_class('loans.days_past_due', 'buckets') }}
    left join dpd_classes as asset_classes
        on asset_classes.scheme = 'asset_class'
        and {{ days_past_due_in_class('loans.days_past_due', 'asset_classes') }}
),

-- Collateral recovers its value less the haircut; the unsecured remainder is lost at the loan type's severity.
loss_inputs as (
    select
        classified.*,
        cast(classified.outstanding_loan_amount as double) as exposure_at_default,
        cast({{ secured_recovery_amount('classified.collateral_value', 'classified.outstanding_loan_amount') }}
            as double) as secured_recovery_amount,
        loss_severity.unsecured_loss_severity
    from classified
    left join loss_severity
        -- null-safe: a file without Loan_Type has one type, unknown, at the portfolio's rate
        on classified.loan_type is not distinct from loss_severity.loan_type
),

final as (
    select
        -- ids
        loan_id,
        borrower_id,
        -- dimensions
        loan_type,
        employment_type,
        segment_name,
        risk_band,
        strategy,
        recovery_status,
        is_open,
        -- amounts
        loan_amount,
        outstanding_loan_amount,
        collateral_value,
        -- delinquency
        days_past_due,
        delinquency_bucket,
        delinquency_bucket_order,
        asset_class,
        is_npa,
        -- ratios
        emi_to_income_ratio,
        loan_to_value_ratio,
        -- credit risk
        risk_score as probability_of_default,
        cast({{ credit_score('risk_score') }} as {{ dbt.type_int() }}) as credit_score,
        {{ loss_given_default('exposure_at_default', 'secured_recovery_amount', 'unsecured_loss_severity') }}
            as loss_given_default,
        exposure_at_default,
        risk_score
        * (exposure_at_default - secured_recovery_amount)
        * unsecured_loss_severity as expected_loss
    from loss_inputs
)

select * from final
