"""Command line of the generator: `python -m tools.synthetic --loans N --seed S --out DIR [...]`; `python -m
tools.synthetic next-day --days-dir DIR` writes the next simulated day (tools.synthetic.daily)."""

import argparse
import sys
from pathlib import Path

import pandas as pd

import tools.synthetic as synthetic
from tools.synthetic import daily, lags, ledger, loans, timing
from tools.synthetic.files import write, write_ledger
from tools.synthetic.treatment import treated_ledger


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.synthetic", description=synthetic.__doc__.splitlines()[0]
    )
    parser.add_argument("--loans", type=int, required=True, help="number of loans to draw")
    parser.add_argument("--seed", type=int, required=True, help="random seed; same seed, same files")
    parser.add_argument("--out", type=Path, required=True, help="directory for loan_recovery.<format>")
    parser.add_argument("--truth-out", type=Path, help="directory for the truth file (default: --out)")
    parser.add_argument("--ledger-out", type=Path, help="directory for the ledger: orders, plan and payments")
    parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
    parser.add_argument(
        "--treatment-plan",
        type=Path,
        help="CSV of loan_id, action: apply these collection actions to the open loans and add the "
        "following months' payments to the ledger; writes treatment_truth.csv beside the truth "
        "(tools/synthetic/treatment.py)",
    )
    parser.add_argument(
        "--timing",
        choices=["snapshot", "realistic", "lagged"],
        default="snapshot",
        help="snapshot: resolved loans all close on the snapshot date; realistic: tools/synthetic/timing.py; "
        "lagged: closing dates that depend on the outcome, tools/synthetic/lags.py",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["next-day"]:
        daily.main(argv[1:])
        return
    args = _parse_args(argv)
    modes = {"snapshot": ledger, "realistic": timing, "lagged": lags}
    generate_portfolio = modes[args.timing].generate_portfolio
    generate_loans = loans.generate_loans if args.timing == "snapshot" else modes[args.timing].generate_loans
    if args.ledger_out:
        loan_file, truth, loan_ledger = generate_portfolio(args.loans, args.seed)
    else:
        (loan_file, truth), loan_ledger = generate_loans(args.loans, args.seed), None
    if args.treatment_plan:
        if loan_ledger is None:
            raise SystemExit("--treatment-plan needs --ledger-out: the treatment adds payments to the ledger")
        plan = pd.read_csv(args.treatment_plan)
        loan_ledger, treatment = treated_ledger(truth, loan_ledger, plan, args.seed)
    paths = list(write(loan_file, truth, args.out, args.truth_out, args.format))
    if args.treatment_plan:
        paths.append(Path(args.truth_out or args.out) / "treatment_truth.csv")
        treatment.to_csv(paths[-1], index=False)
    if loan_ledger is not None:
        paths += write_ledger(loan_ledger, args.ledger_out, args.format)
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
