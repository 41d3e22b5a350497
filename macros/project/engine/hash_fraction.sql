{#- A number in [0, 1) drawn from a string by its MD5 (the first 32 bits): the same on every engine, to the bit (a
    double divided by a power of two; a decimal literal would make Spark divide decimals and round), so that a
    sample drawn with it (hash_fraction(key) < share) keeps the same rows wherever it is built. -#}
{% macro hash_fraction(text) -%}
    {{ return(adapter.dispatch('hash_fraction', 'loan_recovery')(text)) }}
{%- endmacro %}

{% macro default__hash_fraction(text) -%}
    cast(cast(('0x' || substr(md5({{ text }}), 1, 8)) as bigint) as double) / 4294967296
{%- endmacro %}

{% macro spark__hash_fraction(text) -%}
    cast(cast(conv(substr(md5({{ text }}), 1, 8), 16, 10) as bigint) as double) / 4294967296
{%- endmacro %}
