"""Deterministic generator of loan data in the public dataset's 21-column format, with a known causal world.

It feeds the warehouse's sample and its tests: the true probability behind every outcome is known, so the risk
model can be scored against an oracle and the fairness checks against attributes that truly have no effect.
world.py draws the world (its docstring states every rule), loans.py writes it as the snapshot's columns,
ledger.py draws the same loans' ledger, files.py writes CSV or Parquet; `python -m tools.synthetic` runs it.
"""

from tools.synthetic.files import write, write_ledger
from tools.synthetic.ledger import Ledger, generate_portfolio
from tools.synthetic.loans import COLUMNS, TRUTH_COLUMNS, TWO_DECIMAL_COLUMNS, generate_loans
from tools.synthetic.world import (
    BLOCK_SIZE,
    SNAPSHOT_DATE,
    monthly_emi,
    not_recovered_probability,
    remaining_balance,
)

__all__ = [
    "BLOCK_SIZE",
    "COLUMNS",
    "SNAPSHOT_DATE",
    "TRUTH_COLUMNS",
    "TWO_DECIMAL_COLUMNS",
    "Ledger",
    "generate_loans",
    "generate_portfolio",
    "monthly_emi",
    "not_recovered_probability",
    "remaining_balance",
    "write",
    "write_ledger",
]
