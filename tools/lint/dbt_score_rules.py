"""dbt-score filters for `make lint` (pyproject.toml, [tool.dbt-score]): which models a rule is for."""

from dbt_score import Model, rule_filter


@rule_filter
def is_public(model: Model) -> bool:
    """Models people and BI tools query (access public, the marts): an example query in the description is
    for them. Staging and intermediate models are not exposed to users; each rpt_ model feeds one chart."""
    return model.access == "public"


@rule_filter
def has_no_recorded_length_reason(model: Model) -> bool:
    """Models whose YAML does not record, in meta `long_sql_reason`, why their SQL is longer than allowed."""
    return not model.meta.get("long_sql_reason")
