"""Browser-test hooks, kept out of the product: put into a copy of the report before Chromium opens it.

ERROR_CAPTURE runs before plotly.js so that any error while drawing (or written to the console) is recorded.
RENDER_CHECK notes which charts the page drew by itself (those near the first screen), has it draw the rest
(headless Chromium under virtual time does not scroll them into view), then writes what the browser drew into
#render-check, which --dump-dom then shows. USABILITY_CHECK measures, at the window's size, what a reader
meets: overlapping text on the first screen, text size, sideways scrolling, and sorting by keyboard. (The
page's timings are tools/page_speed.py's.)
"""

ERROR_CAPTURE = """
window.reportErrors = [];
window.addEventListener("error", function (event) {
  window.reportErrors.push(String(event.message));
});
window.addEventListener("unhandledrejection", function (event) {
  window.reportErrors.push(String(event.reason));
});
(function () {
  var error = console.error;
  console.error = function () {
    window.reportErrors.push(Array.prototype.join.call(arguments, " "));
    return error.apply(console, arguments);
  };
})();
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
  // What the page drew by itself (the charts near the first screen), then all of them.
  setTimeout(function () {
    window.drawnBeforePrint = Array.prototype.filter.call(
      document.querySelectorAll("div[data-figure]"), function (div) { return div._fullData; }
    ).map(function (div) { return div.id; });
    window.drawAllCharts().then(function () { setTimeout(report, 1000); });
  }, 500);
});
"""

USABILITY_CHECK = """
function textBoxes() {
  // One box per line of each visible text node of the page's own HTML (chart text is plotly's SVG).
  var boxes = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: function (node) {
      var parent = node.parentElement;
      return node.textContent.trim() && !parent.closest("script, style, svg, .chart, #render-check") &&
        parent.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})
        ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
    }
  });
  for (var node = walker.nextNode(), i = 0; node; node = walker.nextNode(), i++) {
    var range = document.createRange();
    range.selectNodeContents(node);
    Array.prototype.forEach.call(range.getClientRects(), function (rect) {
      if (rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.left < window.innerWidth) {
        boxes.push({node: i, text: node.textContent.trim().slice(0, 40), top: rect.top, bottom: rect.bottom,
                    left: rect.left, right: rect.right,
                    size: parseFloat(getComputedStyle(node.parentElement).fontSize)});
      }
    });
  }
  return boxes;
}
function overlaps(boxes) {
  var found = [];
  boxes.forEach(function (a, i) {
    boxes.slice(i + 1).forEach(function (b) {
      var wide = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      var high = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (a.node !== b.node && wide > 1 && high > 1) { found.push([a.text, b.text]); }
    });
  });
  return found;
}
function sorting() {
  // Every sortable heading is a native button (in the Tab order; Enter and Space press it), and pressing it
  // sorts its column: the first press in the heading's first direction, the second the other way.
  return Array.prototype.map.call(document.querySelectorAll("table.sortable th"), function (th) {
    var button = th.querySelector("button"), table = th.closest("table"), col = Number(th.dataset.col);
    var result = {heading: th.textContent, button: !!button};
    if (!button) { return result; }
    button.focus();
    result.focused = document.activeElement === button && button.tabIndex >= 0 &&
      button.getClientRects().length > 0;
    var directions = [];
    [0, 1].forEach(function () {
      button.click();
      var values = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
        return row.cells[col].dataset.sort;
      });
      var numbers = values.map(parseFloat), numeric = numbers.every(function (n) { return !isNaN(n); });
      var ordered = values.every(function (value, k) {
        if (k === 0) { return true; }
        var order = numeric ? numbers[k - 1] - numbers[k] : values[k - 1].localeCompare(value);
        return th.getAttribute("aria-sort") === "ascending" ? order <= 0 : order >= 0;
      });
      directions.push({ariaSort: th.getAttribute("aria-sort"), arrow: button.textContent.slice(-1),
                       ordered: ordered});
    });
    result.first = th.dataset.first;
    result.numeric = Array.prototype.every.call(table.tBodies[0].rows, function (row) {
      return !isNaN(parseFloat(row.cells[col].dataset.sort));
    });
    result.presses = directions;
    return result;
  });
}
function check() {
  var boxes = textBoxes();
  var firstScreen = boxes.filter(function (box) { return box.top < window.innerHeight && box.bottom > 0; });
  var focusableInCharts = document.querySelectorAll(
    ".chart a[href], .chart button, .chart input, .chart [tabindex]:not([tabindex='-1'])"
  ).length;
  var result = {
    width: window.innerWidth,
    pageWidth: document.documentElement.scrollWidth,
    firstScreenBoxes: firstScreen.length,
    overlaps: overlaps(firstScreen),
    textSizes: boxes.map(function (box) { return [box.text, box.size]; }),
    viewportTag: !!document.querySelector("meta[name=viewport][content*='width=device-width']"),
    mainLandmark: document.querySelectorAll("main").length,
    skipLink: document.body.firstElementChild.matches("a[href^='#']"),
    focusableInCharts: focusableInCharts,
    sorting: sorting(),
    errors: window.reportErrors
  };
  // Printing draws every chart at most as wide as the paper (letter or A4 less the margins).
  window.dispatchEvent(new Event("beforeprint"));
  setTimeout(function () {
    result.printedChartWidths = Array.prototype.map.call(
      document.querySelectorAll(".chart .main-svg:first-child"), function (svg) {
        return svg.getBoundingClientRect().width;
      });
    post(result);
  }, 500);
}
function post(result) {
  // In a frame of the asked size (below 500 px a headless window is wider than asked): tell the page around.
  (window.parent === window ? window : window.parent).postMessage(JSON.stringify(result), "*");
}
window.addEventListener("load", function () {
  window.drawAllCharts().then(function () { setTimeout(check, 500); });
});
"""

# For the PDF: headless Chromium 156 under virtual time never finishes --print-to-pdf when a beforeprint
# listener draws with plotly.js (the print waits on a frame that virtual time does not give it). So the copy
# keeps the page's print listeners out of the print event and runs its beforeprint listener itself, once
# plotly.js is loaded: what a reader's browser does when they print. (USABILITY_CHECK fires the real event.)
PRINT_HOOK = """
(function () {
  var add = window.addEventListener, listeners = {};
  window.addEventListener = function (type, listener, options) {
    if (type === "beforeprint" || type === "afterprint") { listeners[type] = listener; return; }
    return add.call(window, type, listener, options);
  };
  add.call(window, "load", function () {
    var wait = setInterval(function () {
      if (window.Plotly) { clearInterval(wait); listeners.beforeprint(); }
    }, 50);
  });
})();
"""

# A page that holds the report in a frame of a given size and writes what the frame's check posts.
FRAME = """<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe src="%(src)s" width="%(width)d" height="%(height)d" style="border:0;display:block"></iframe>
<pre id="render-check" hidden></pre><script>
window.addEventListener("message", function (event) {
  document.getElementById("render-check").textContent = event.data;
});
</script></body></html>"""

HEAD = "<head>"
BODY_END = "</body>"


def framed(src: str, width: int, height: int) -> str:
    """A page showing `src` in a frame of width x height CSS pixels, with the frame's check result."""
    return FRAME % {"src": src, "width": width, "height": height}


def ready_to_print(page: str) -> str:
    """The page with PRINT_HOOK first in <head>."""
    assert page.count(HEAD) == 1, "the report is not one <head>"
    return page.replace(HEAD, f"{HEAD}<script>{PRINT_HOOK}</script>")


def instrumented(page: str, check: str = RENDER_CHECK) -> str:
    """The page with the error capture first in <head> and the render check last in <body>."""
    assert page.count(HEAD) == 1 and page.count(BODY_END) == 1, "the report is not one <head> and one <body>"
    result = f'<pre id="render-check" hidden></pre><script>{check}</script>'
    return page.replace(HEAD, f"{HEAD}<script>{ERROR_CAPTURE}</script>").replace(BODY_END, result + BODY_END)
