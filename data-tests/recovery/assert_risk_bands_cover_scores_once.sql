-- The risk_bands seed must put every score in exactly one band, with the source documents' edges:
-- below 0.50 Low, 0.50 to 0.75 inclusive Medium, above 0.75 High.

with

probes as (
    select
        probe.score,
        probe.expected_band
    from (
        values
        (0.0, 'Low'),
        (0.25, 'Low'),
        (0.4999, 'Low'),
        (0.50, 'Medium'),
        (0.6, 'Medium'),
        (0.75, 'Medium'),
        (0.7501, 'High'),
        (1.0, 'High')
    ) as probe (score, expected_band)
),

risk_bands as (
    select * from {{ ref('risk_bands') }}
),

matched as (
    select
        probes.score,
        probes.expected_band,
        count(risk_bands.risk_band) as matching_bands,
        max(risk_bands.risk_band) as risk_band
    from probes
    left join risk_bands
        on {{ score_in_band('probes.score', 'risk_bands') }}
    group by probes.score, probes.expected_band
)

select * from matched
where matching_bands <> 1 or risk_band <> expected_band
