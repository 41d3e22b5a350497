"""Browser-test hooks, kept out of the product: put into a copy of the report before Chromium opens it.

ERROR_CAPTURE runs before plotly.js so that any error while drawing is recorded. RENDER_CHECK notes which
charts the page drew by itself (those near the first screen), has it draw the rest as printing does (headless
Chromium under virtual time does not scroll them into view), then writes what the browser drew into
#render-check, which --dump-dom then shows. (The page's timings are tools/page_speed.py's.)
"""

ERROR_CAPTURE = """
window.reportErrors = [];
window.addEventListener("error", function (event) {
  window.reportErrors.push(String(event.message));
});
window.addEventListener("unhandledrejection", function (event) {
  window.reportErrors.push(String(event.reason));
});
"""

RENDER_CHECK = """
function pointCount(trace) {
  var keys = ["x", "y", "z", "values"];
  var counts = keys.map(function (key) { return trace[key] && trace[key].length ? trace[key].length : 0; });
  var most = Math.max.apply(null, counts);
  return most > 0 ? most : (typeof trace.value === "number" ? 1 : 0);
}
function report() {
  var charts = Array.prototype.map.call(document.querySelectorAll("div[data-figure]"), function (div) {
    var traces = div._fullData || [];
    return {
      id: div.id,
      traces: traces.length,
      points: traces.reduce(function (sum, trace) { return sum + pointCount(trace); }, 0),
      drawn: div.querySelectorAll(".main-svg").length > 0
    };
  });
  var requests = performance.getEntriesByType("resource").map(function (entry) { return entry.name; });
  document.getElementById("render-check").textContent =
    JSON.stringify({
      charts: charts, errors: window.reportErrors, requests: requests,
      drawnBeforePrint: window.drawnBeforePrint
    });
}
window.addEventListener("load", function () {
  // What the page drew by itself (the charts near the first screen), then all of them, as printing does.
  setTimeout(function () {
    window.drawnBeforePrint = Array.prototype.filter.call(
      document.querySelectorAll("div[data-figure]"), function (div) { return div._fullData; }
    ).map(function (div) { return div.id; });
    window.dispatchEvent(new Event("beforeprint"));
    setTimeout(report, 1000);
  }, 500);
});
"""

HEAD = "<head>"
BODY_END = "</body>"


def instrumented(page: str, check: str = RENDER_CHECK) -> str:
    """The page with the error capture first in <head> and the render check last in <body>."""
    assert page.count(HEAD) == 1 and page.count(BODY_END) == 1, "the report is not one <head> and one <body>"
    result = f'<pre id="render-check" hidden></pre><script>{check}</script>'
    return page.replace(HEAD, f"{HEAD}<script>{ERROR_CAPTURE}</script>").replace(BODY_END, result + BODY_END)
