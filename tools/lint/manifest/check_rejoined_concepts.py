"""A dbt-bouncer check that dbt-bouncer lacks: dbt-project-evaluator's "rejoining of upstream concepts"."""

from dbt_bouncer.check_framework.decorator import check, fail


@check
def check_model_rejoins_no_upstream_concept(model, ctx):
    """A model must not read a model A and also a model B that reads A and has no other child.

    B then adds nothing of its own to the lineage: it belongs in the model, or the model should read A through
    B only (dbt-project-evaluator, fct_rejoining_of_upstream_concepts).
    """
    parents_of = {
        node.unique_id: {parent for parent in node.depends_on.nodes or [] if parent.startswith("model.")}
        for node in ctx.models
    }
    children_of: dict[str, set[str]] = {}
    for child, parents in parents_of.items():
        for parent in parents:
            children_of.setdefault(parent, set()).add(child)
    parents = parents_of.get(model.unique_id, set())
    rejoined = sorted(
        (between, upstream)
        for between in parents
        if children_of.get(between) == {model.unique_id}
        for upstream in parents_of.get(between, set()) & parents
    )
    if rejoined:
        pairs = ", ".join(f"{b.split('.')[-1]} (reads {a.split('.')[-1]})" for b, a in rejoined)
        fail(f"`{model.name}` rejoins upstream concepts through {pairs}.")
