-- Every days-past-due value falls in exactly one class of each scheme of the dpd_classes seed, with the edges
-- at 0/1, 30/31, 60/61, 90/91 and the NPA age edges at 455/456 and 1185/1186.

with

probes as (
    select
        probe.days_past_due,
        probe.expected_bucket,
        probe.expected_asset_class
    from (
        values
        (0, 'Current', 'Standard'),
        (1, '1-30', 'SMA-0'),
        (30, '1-30', 'SMA-0'),
        (31, '31-60', 'SMA-1'),
        (60, '31-60', 'SMA-1'),
        (61, '61-90', 'SMA-2'),
        (90, '61-90', 'SMA-2'),
        (91, '90+', 'NPA Sub-Standard'),
        (455, '90+', 'NPA Sub-Standard'),
        (456, '90+', 'NPA Doubtful'),
        (1185, '90+', 'NPA Doubtful'),
        (1186, '90+', 'NPA Loss'),
        (5000, '90+', 'NPA Loss')
    ) as probe (days_past_due, expected_bucket, expected_asset_class)
),

dpd_classes as (
    select * from {{ ref('dpd_classes') }}
),

matched as (
    select
        probes.days_past_due,
        count(case when dpd_classes.scheme = 'delinquency_bucket' then 1 end) as buckets,
        count(case when dpd_classes.scheme = 'asset_class' then 1 end) as asset_classes,
        max(case when dpd_classes.scheme = 'delinquency_bucket' then dpd_classes.class_name end) as bucket,
        max(case when dpd_classes.scheme = 'asset_class' then dpd_classes.class_name end) as asset_class,
        max(probes.expected_bucket) as expected_bucket,
        max(probes.expected_asset_class) as expected_asset_class
    from probes
    left join dpd_classes
        on {{ days_past_due_in_class('probes.days_past_due', 'dpd_classes') }}
    group by probes.days_past_due
)

select * from matched
where
    buckets <> 1
    or asset_classes <> 1
    or bucket <> expected_bucket
    or asset_class <> expected_asset_class
