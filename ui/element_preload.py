"""Load the pages' element code in the browser while the user reads the first page.

Streamlit loads the code of an element type (a Plotly chart: one 4.7 MB module; a table; a
selectbox) the first time a page of the open tab shows one, and evaluates it on the browser's main
thread: the first chart page of a tab took 2.7-3.5 s to settle after a click at 20k accounts, the
same page 0.7-0.9 s the second time (docs/performance.md, "The first chart page of a tab"). This
snippet imports those modules (`ELEMENT_MODULES`, the element types the pages use, largest gain
first) once the tab has been quiet for `QUIET_MS` (no script run), one per idle period of the
browser, so the first page that shows one finds it loaded. Each import is the module Streamlit
imports (same URL, resolved from Streamlit's own main script), so the browser loads it once.

Only module file names from this machine (Streamlit's static folder) are written into the script;
nothing from the data or the URL.
"""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import streamlit as st

QUIET_MS = 1500
SWITCH_OFF = "CS_ANALYTICS_NO_PRELOAD"  # set (to anything) to measure the pages without the preload
ELEMENT_MODULES = ("PlotlyChart", "DataFrame", "Selectbox", "NumberInput", "DownloadButton", "Radio",
                   "Checkbox", "TextInput", "DateInput", "ButtonGroup", "TextArea")

SCRIPT = """<script>
(() => {
  if (window.__csElementsPreload) return;
  window.__csElementsPreload = "waiting";
  const main = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!main) return;
  const urls = MODULES.map((name) => new URL(name, main.src).href);
  const idle = window.requestIdleCallback || ((f) => setTimeout(f, 0));
  const load = (i) => {
    if (i >= urls.length) { window.__csElementsPreload = "loaded"; return; }
    window.__csElementsPreload = "loading";
    import(urls[i]).catch(() => {}).then(() => idle(() => load(i + 1)));
  };
  let lastChange = performance.now();  // any script run, however short, restarts the quiet time
  const app = document.querySelector("[data-testid='stApp']");
  if (app) new MutationObserver(() => { lastChange = performance.now(); })
    .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
  const tick = () => {
    const quiet = app && app.getAttribute("data-test-script-state") === "notRunning";
    if (quiet && performance.now() - lastChange >= QUIET_MS) {
      idle(() => load(0));
    } else {
      setTimeout(tick, 250);
    }
  };
  setTimeout(tick, 250);
})();
</script>"""


@functools.lru_cache(maxsize=1)
def element_module_names() -> tuple[str, ...]:
    """The file names of `ELEMENT_MODULES` in this Streamlit installation (a name matching no file,
    or several, is left out)."""
    static = Path(st.__file__).parent / "static" / "static" / "js"
    found = []
    for module in ELEMENT_MODULES:
        names = sorted(p.name for p in static.glob(f"{module}.*.js"))
        if len(names) == 1:
            found.append(names[0])
    return tuple(found)


def preload_script(modules: tuple[str, ...]) -> str:
    """The snippet importing `modules` (file names beside Streamlit's main script) once quiet."""
    return SCRIPT.replace("MODULES", json.dumps(list(modules))).replace("QUIET_MS", str(QUIET_MS))


def preload_elements() -> None:
    """Add the snippet to the page (nothing when none of the modules is found, or when the
    environment variable `SWITCH_OFF` is set)."""
    modules = element_module_names()
    if modules and not os.environ.get(SWITCH_OFF):
        st.html(preload_script(modules), unsafe_allow_javascript=True)
