"""Treatment: what collection actions truly do to the open loans' repayment in the months after SNAPSHOT_DATE.

Under action a, an open loan whose true probability of not being fully recovered is p (world.py) pays with
probability 1 - p x (1 - TRUE_EFFECTS[a][band]), band being the loan's true risk band (p below 0.50 Low, up to
0.75 Medium, above High: the edges of seeds/risk_bands.csv). A loan that pays clears its arrears on the first
instalment due after SNAPSHOT_DATE and then pays each instalment on its due date, for TREATMENT_MONTHS months;
a loan that does not pay pays nothing. A payer under an action with a balance discount (a settlement, seed
collection_actions) pays each amount less that discount, as the warehouse values it. Each loan's chance is one
uniform draw U (pays when U is below its probability), drawn once per loan from the seed whatever the plan, so
two plans are compared on the same borrowers (common random numbers) and the difference between them comes
from the actions alone.

The warehouse knows the actions' costs (seeds/collection_actions.csv, read here) but not these true effects:
its seed collection_action_effects holds assumptions, and the experiment is what measures the truth.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from tools.synthetic.ledger import CLOSING_HOUR, Ledger
from tools.synthetic.world import SNAPSHOT_DAY

TREATMENT_MONTHS = 3
# Relative reduction of p by action and true risk band (Low, Medium, High).
TRUE_EFFECTS = {
    "monitor": (0.00, 0.00, 0.00),
    "reminder": (0.05, 0.02, 0.00),
    "call": (0.10, 0.08, 0.04),
    "restructuring": (0.04, 0.20, 0.10),
    "settlement": (0.02, 0.12, 0.22),
    "legal_notice": (0.00, 0.05, 0.30),
}
BAND_EDGES = (0.50, 0.75)
ACTIONS_SEED = Path(__file__).resolve().parents[2] / "seeds" / "collection_actions.csv"


def action_costs(seed: Path = ACTIONS_SEED) -> pd.Series:
    """Cost per loan of each action, from the warehouse's seed."""
    return pd.read_csv(seed).set_index("action")["cost_per_loan"].astype(float)


def action_discounts(seed: Path = ACTIONS_SEED) -> pd.Series:
    """Share of what a payer owes that each action lets off (a settlement's discount), from the seed."""
    return pd.read_csv(seed).set_index("action")["balance_discount"].astype(float)


def _true_band(probability: np.ndarray) -> np.ndarray:
    # Low includes neither edge's upper side, Medium includes 0.75: as the risk_bands seed does.
    return np.where(probability < BAND_EDGES[0], 0, np.where(probability <= BAND_EDGES[1], 1, 2))


def open_loan_outcomes(
    truth: pd.DataFrame, ledger: Ledger, seed: int, months: int = TREATMENT_MONTHS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per open loan: its true band, its draw U and what it pays if it pays; and the instalments it would pay.

    If it pays: the first instalment due after SNAPSHOT_DATE is paid together with every arrear (the
    cumulative amount due by then less what was paid), then each later instalment within `months` months.
    """
    open_truth = truth[truth["is_open"].astype(bool)].reset_index(drop=True)
    horizon_end = (SNAPSHOT_DAY.astype("datetime64[M]") + np.timedelta64(months + 1, "M")).astype(
        "datetime64[D]"
    )
    plan = ledger.plan.assign(order_id=ledger.plan["order_id"].astype(str))
    due = plan[(plan["plan_at"] > SNAPSHOT_DAY) & (plan["plan_at"] < horizon_end)]
    due = due[due["order_id"].isin(open_truth["loan_id"])].sort_values(["order_id", "plan_at"])
    paid = (
        ledger.payments.assign(order_id=ledger.payments["order_id"].astype(str))
        .groupby("order_id")["paid_sum"]
        .sum()
    )
    # What each due date adds to the cumulative amount due; the first one also clears the arrears.
    due = due.assign(amount=due.groupby("order_id")["plan_sum_total"].diff())
    first = due["amount"].isna()
    due.loc[first, "amount"] = due.loc[first, "plan_sum_total"] - due.loc[first, "order_id"].map(paid).fillna(
        0
    )
    due["amount"] = due["amount"].round(2).clip(lower=0)
    rng = np.random.default_rng(seed)
    probability = open_truth["true_probability_not_recovered"].to_numpy()
    outcomes = pd.DataFrame(
        {
            "loan_id": open_truth["loan_id"],
            "true_probability_not_recovered": probability,
            "true_band": _true_band(probability),
            "draw": rng.random(len(open_truth)),
            "amount_if_paid": open_truth["loan_id"].map(due.groupby("order_id")["amount"].sum()).fillna(0.0),
        }
    )
    return outcomes, due[["order_id", "plan_at", "amount"]]


def pay_probability(outcomes: pd.DataFrame, actions: pd.Series) -> np.ndarray:
    """The true probability that each loan pays under its action (`actions` aligned with `outcomes`)."""
    effects = np.array([TRUE_EFFECTS[action] for action in actions])
    effect = effects[np.arange(len(outcomes)), outcomes["true_band"].to_numpy()]
    return 1 - outcomes["true_probability_not_recovered"].to_numpy() * (1 - effect)


def net_recovery(outcomes: pd.DataFrame, actions: pd.Series) -> pd.DataFrame:
    """Per loan under the given actions: true expected and realised amount paid net of the action's cost."""
    actions = pd.Series(np.asarray(actions), index=outcomes.index)
    probability = pay_probability(outcomes, actions)
    cost = actions.map(action_costs()).to_numpy()
    amount = outcomes["amount_if_paid"].to_numpy() * (1 - actions.map(action_discounts()).to_numpy())
    return pd.DataFrame(
        {
            "loan_id": outcomes["loan_id"],
            "action": actions,
            "pay_probability": probability,
            "expected_net": probability * amount - cost,
            "realised_net": np.where(outcomes["draw"].to_numpy() < probability, amount, 0.0) - cost,
        }
    )


def treated_ledger(
    truth: pd.DataFrame, ledger: Ledger, plan: pd.DataFrame, seed: int
) -> tuple[Ledger, pd.DataFrame]:
    """The ledger with the payments the plan's actions bring (plan: loan_id, action; any other open loan is
    monitored), and the per-loan truth of the treatment (net_recovery's columns)."""
    outcomes, due = open_loan_outcomes(truth, ledger, seed)
    actions = outcomes["loan_id"].map(plan.set_index("loan_id")["action"]).fillna("monitor")
    treatment = net_recovery(outcomes, actions)
    payers = treatment.loc[outcomes["draw"].to_numpy() < treatment["pay_probability"].to_numpy(), "loan_id"]
    paid = due[due["order_id"].isin(payers) & (due["amount"] > 0)]
    discount = paid["order_id"].map(actions.set_axis(outcomes["loan_id"]).map(action_discounts()))
    paid = paid.assign(amount=(paid["amount"] * (1 - discount)).round(2))
    categories = ledger.payments["order_id"].cat.categories
    new_payments = pd.DataFrame(
        {
            "order_id": pd.Categorical(paid["order_id"], categories=categories),
            "paid_at": (
                paid["plan_at"].to_numpy().astype("datetime64[s]") + np.timedelta64(CLOSING_HOUR - 6, "h")
            ),
            "paid_sum": paid["amount"].to_numpy(),
        }
    )
    payments = pd.concat([ledger.payments, new_payments], ignore_index=True)
    payments = payments.sort_values(["order_id", "paid_at"], kind="stable", ignore_index=True)
    return ledger._replace(payments=payments), treatment
