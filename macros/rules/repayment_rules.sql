{#- Repayment score, 0 to 100, higher is better:
      50 points x paid-to-plan ratio (capped at 1; 1 when nothing is due yet)
    + 30 points x (1 - days past due / 90), nothing from 90 days past due on
    + 20 points x (1 - 10 x payment gap / issued amount), nothing once the gap reaches 10% of the loan.
    Overpayment earns no more than paying exactly to plan. Computed in double on every engine (Spark would keep
    decimals). -#}
{% macro repayment_score(planned, paid, days_past_due, issued_amount) -%}
    round(
        50 * case when {{ planned }} > 0 then least(cast({{ paid }} as double) / {{ planned }}, 1) else 1 end
        + 30 * greatest(1 - cast({{ days_past_due }} as double) / 90, 0)
        + 20 * greatest(1 - 10 * cast(greatest({{ planned }} - {{ paid }}, 0) as double) / {{ issued_amount }}, 0),
        1
    )
{%- endmacro %}

{#- Underpaid below plan x (1 - tolerance), Overpaid above plan x (1 + tolerance), otherwise On Track.
    A loan with nothing due is On Track unless it has paid something (then Overpaid). -#}
{% macro repayment_segment(planned, paid, tolerance) -%}
    case
        when {{ paid }} < {{ planned }} * (1 - {{ tolerance }}) then 'Underpaid'
        when {{ paid }} > {{ planned }} * (1 + {{ tolerance }}) then 'Overpaid'
        else 'On Track'
    end
{%- endmacro %}

{#- Months on book 0, 1, 2, ... as a one-column query (months_on_book): 100 years of months, more than any loan
    stays on the book. Joined on `months_on_book <= a loan's last month on book` it gives every month in between:
    an inequality on one precomputed integer, which engines without a range join (Spark) run well too. -#}
{% macro months_on_book_series() -%}
    select cast(generated_number - 1 as {{ dbt.type_int() }}) as months_on_book
    from ({{ dbt.generate_series(1200) }}) as series
{%- endmacro %}
