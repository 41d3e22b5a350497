"""Browser-test hooks, kept out of the product: put into a copy of the report before Chromium opens it.

ERROR_CAPTURE runs before plotly.js so that any error while drawing is recorded; RENDER_CHECK writes what the
browser actually drew into #render-check, which a headless browser's --dump-dom then shows.
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
window.addEventListener("load", function () {
  setTimeout(function () {
    var charts = Array.prototype.map.call(document.querySelectorAll(".js-plotly-plot"), function (div) {
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
      JSON.stringify({charts: charts, errors: window.reportErrors, requests: requests});
  }, 1000);
});
"""

HEAD = "<head>"
BODY_END = "</body>"


def instrumented(page: str) -> str:
    """The page with the error capture first in <head> and the render check last in <body>."""
    assert page.count(HEAD) == 1 and page.count(BODY_END) == 1, "the report is not one <head> and one <body>"
    check = f'<pre id="render-check" hidden></pre><script>{RENDER_CHECK}</script>'
    return page.replace(HEAD, f"{HEAD}<script>{ERROR_CAPTURE}</script>").replace(BODY_END, check + BODY_END)
