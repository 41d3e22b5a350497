"""Command line of the generator: `python -m tools.synthetic --loans N --seed S --out DIR [...]`; `python -m
tools.synthetic next-day --days-dir DIR` writes the next simulated day (tools.synthetic.daily)."""

import argparse
import sys
from pathlib import Path

import tools.synthetic as synthetic
from tools.synthetic import daily
from tools.synthetic.files import write, write_ledger
from tools.synthetic.ledger import generate_portfolio
from tools.synthetic.loans import generate_loans


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
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["next-day"]:
        daily.main(argv[1:])
        return
    args = _parse_args(argv)
    if args.ledger_out:
        loans, truth, ledger = generate_portfolio(args.loans, args.seed)
    else:
        (loans, truth), ledger = generate_loans(args.loans, args.seed), None
    paths = list(write(loans, truth, args.out, args.truth_out, args.format))
    if ledger is not None:
        paths += write_ledger(ledger, args.ledger_out, args.format)
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
