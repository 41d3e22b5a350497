{#- True when a days-past-due value falls in a dpd_classes seed row (an empty max means no upper bound). -#}
{% macro days_past_due_in_class(days_past_due, class) -%}
    {{ days_past_due }} >= {{ class }}.min_days_past_due
    and ({{ class }}.max_days_past_due is null or {{ days_past_due }} <= {{ class }}.max_days_past_due)
{%- endmacro %}

{#- Credit score on the 300-850 scale from a probability of not repaying, by points to double the odds:
    score = base + pdo / ln(2) x ln(odds / base_odds), odds = (1 - p) / p of repaying. A loan at the base odds
    scores the base; each `pdo` points doubles the odds. Lower risk, higher score; clipped to 300-850. -#}
{% macro credit_score(probability) -%}
    {%- set base = number_var('credit_score_base', 300, 850) -%}
    {%- set base_odds = number_var('credit_score_base_odds', 0.001, 100000) -%}
    {%- set pdo = number_var('credit_score_pdo', 1, 200) -%}
    {%- set p = 'least(greatest(' ~ probability ~ ', 0.000001), 0.999999)' -%}
    least(greatest(
        round({{ base }} + {{ pdo }} / ln(2) * ln((1 - {{ p }}) / {{ p }} / {{ base_odds }}), 0),
        300), 850)
{%- endmacro %}

{#- True when a ratio falls in a ratio_bands seed row: from min_ratio (inclusive) to max_ratio (exclusive), an empty
    bound being open; an undefined ratio falls in the band flagged is_missing_ratio. -#}
{% macro ratio_in_band(ratio, band) -%}
    case
        when {{ ratio }} is null then {{ band }}.is_missing_ratio
        else not {{ band }}.is_missing_ratio
            and ({{ band }}.min_ratio is null or {{ ratio }} >= {{ band }}.min_ratio)
            and ({{ band }}.max_ratio is null or {{ ratio }} < {{ band }}.max_ratio)
    end
{%- endmacro %}

{#- The part of the exposure the collateral recovers: its value less the haircut (var collateral_haircut), at most
    the exposure itself. -#}
{% macro secured_recovery_amount(collateral_value, exposure) -%}
    least({{ collateral_value }} * (1 - {{ number_var('collateral_haircut', 0, 1) }}), {{ exposure }})
{%- endmacro %}

{#- Loss given default: the share of the exposure not covered by the secured recovery, lost at the loan type's
    unsecured loss severity; 0 for a loan with nothing outstanding. -#}
{% macro loss_given_default(exposure, secured_recovery, unsecured_loss_severity) -%}
    case
        when {{ exposure }} = 0 then 0
        else ({{ exposure }} - {{ secured_recovery }}) / {{ exposure }} * {{ unsecured_loss_severity }}
    end
{%- endmacro %}
