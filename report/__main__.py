"""`python -m report`: writes the loan-recovery report, one self-contained HTML file, from a warehouse."""

import argparse
import os
from pathlib import Path

from report.page import write_report

DEFAULT_OUT = Path("reports") / "loan-recovery-report.html"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m report", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse", type=Path, default=Path(os.environ.get("DUCKDB_PATH", "loan_recovery.duckdb"))
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    out = write_report(args.warehouse, args.out)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) from {args.warehouse}")


if __name__ == "__main__":
    main()
