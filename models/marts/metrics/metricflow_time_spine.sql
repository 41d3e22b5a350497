-- One row per day, the calendar MetricFlow joins metrics to for metric_time (dbt's time spine): 1990 to 2059,
-- wider than any issue or as-of date of the book.

with

days as (
    select
        cast({{ dbt.dateadd('day', 'generated_number - 1', "cast('1990-01-01' as date)") }} as date) as date_day
    from ({{ dbt.generate_series(25567) }}) as series
),

final as (
    select date_day
    from days
)

select * from final
