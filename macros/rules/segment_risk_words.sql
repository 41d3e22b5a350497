{#- The risk words of a segment's name, from its resolved loans' not-recovered rate ranked against the book's:
    above it "Higher Default Risk", below it "Lower Default Risk", equal "Book-Average Default Risk", and
    "Default Risk Unknown" while none of its loans is resolved. The profile words come from ml.segmentation. -#}
{% macro segment_risk_words(segment_rate, book_rate) -%}
    case
        when {{ segment_rate }} is null then 'Default Risk Unknown'
        when {{ segment_rate }} > {{ book_rate }} then 'Higher Default Risk'
        when {{ segment_rate }} < {{ book_rate }} then 'Lower Default Risk'
        else 'Book-Average Default Risk'
    end
{%- endmacro %}
