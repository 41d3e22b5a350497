-- The report's shares add up to the whole they are shares of: outcomes per payment history, missed-payment counts
-- per status, bands per segment, strategies of the book and, with a ledger, repayment segments.

with

sums as (
    select
        'rpt_recovery_status_by_payment_history' as report_model,
        payment_history as split_value,
        sum(share_of_payment_history) as share_total
    from {{ ref('rpt_recovery_status_by_payment_history') }}
    group by payment_history
    union all
    select
        'rpt_missed_payments_by_recovery_status' as report_model,
        recovery_status as split_value,
        sum(share_of_status) as share_total
    from {{ ref('rpt_missed_payments_by_recovery_status') }}
    group by recovery_status
    union all
    select
        'rpt_risk_by_segment_and_band' as report_model,
        segment_name as split_value,
        sum(share_of_segment) as share_total
    from {{ ref('rpt_risk_by_segment_and_band') }}
    group by segment_name
    union all
    select
        'rpt_strategies' as report_model,
        'loans' as split_value,
        sum(share_of_loans) as share_total
    from {{ ref('rpt_strategies') }}
    union all
    select
        'rpt_strategies' as report_model,
        'exposure' as split_value,
        sum(share_of_exposure) as share_total
    from {{ ref('rpt_strategies') }}
    {%- if ledger_is_present() %}
    union all
    select
        'rpt_repayment_segments' as report_model,
        'loans' as split_value,
        sum(share_of_loans) as share_total
    from {{ ref('rpt_repayment_segments') }}
    {%- endif %}
)

select * from sums
where abs(share_total - 1) > 1e-9
