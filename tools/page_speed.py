"""How fast the report's first screen is usable: loads the page in headless Chromium in real time and prints
when it was laid out (DOMContentLoaded: KPIs, model box and a sortable work queue), when it first painted and
how many charts it drew by itself. Run by `make bench`; a figure, not a test.

`python -m tools.page_speed [--report FILE] [--loads N]`; also the Chromium launcher the report tests use.
"""

import argparse
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULT_REPORT = Path("reports") / "loan-recovery-report.html"

# Put into a copy of the page: records the timings and writes them where --dump-dom shows them.
PAGE_TIMING = """
window.pageTiming = {};
document.addEventListener("DOMContentLoaded", function () {
  window.pageTiming.usable_ms = performance.now();
});
window.addEventListener("load", function () {
  window.pageTiming.load_ms = performance.now();
  var paint = performance.getEntriesByName("first-contentful-paint")[0];
  window.pageTiming.first_paint_ms = paint ? paint.startTime : null;
  window.pageTiming.charts_drawn_on_load = document.querySelectorAll(".js-plotly-plot .main-svg").length;
  window.pageTiming.charts = document.querySelectorAll("div[data-figure]").length;
  document.getElementById("page-timing").textContent = JSON.stringify(window.pageTiming);
});
"""


def chromium(profile: Path, *arguments: str, virtual_time: bool = True) -> subprocess.CompletedProcess:
    """Run headless Chromium on a throw-away profile with every host unresolvable, so requests would fail."""
    browser = shutil.which("chromium")
    if browser is None:
        raise RuntimeError("chromium is not installed: run `make browser` (Debian package chromium)")
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        # Virtual time lets the page's timers run before the DOM is dumped; timings need real time.
        *(["--virtual-time-budget=20000"] if virtual_time else []),
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def page_timings(report: Path, workdir: Path, loads: int = 3) -> list[dict]:
    """The timings of `loads` loads of the report, each on a fresh profile."""
    timed = workdir / "report-timed.html"
    page = report.read_text(encoding="utf-8")
    page = page.replace("<head>", f"<head><script>{PAGE_TIMING}</script>", 1)
    timed.write_text(
        page.replace("</body>", '<pre id="page-timing" hidden></pre></body>', 1), encoding="utf-8"
    )
    timings = []
    for load in range(loads):
        dom = chromium(workdir / f"profile-{load}", "--dump-dom", timed.as_uri(), virtual_time=False).stdout
        timings.append(json.loads(re.search(r'<pre id="page-timing"[^>]*>(.*?)</pre>', dom, re.S).group(1)))
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.report.exists():
        parser.error(f"{args.report} not found: `make build` writes it")
    with tempfile.TemporaryDirectory() as workdir:
        timings = page_timings(args.report, Path(workdir), args.loads)
    best = min(timings, key=lambda timing: timing["usable_ms"])
    every = ", ".join(f"{timing['usable_ms']:.0f}" for timing in timings)
    paint = best["first_paint_ms"]
    painted = f"{paint:.0f} ms" if paint is not None else "not reported"
    print(
        f"{args.report}: first screen usable at {best['usable_ms']:.0f} ms (best of {len(timings)} loads; "
        f"all: {every} ms), first paint at "
        f"{painted}, {best['charts_drawn_on_load']} of {best['charts']} charts drawn "
        "by the load event (the others when scrolled near)"
    )


if __name__ == "__main__":
    main()
