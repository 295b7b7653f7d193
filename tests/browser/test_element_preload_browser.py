"""The pages' element code (charts, tables, inputs) loads while the user reads a page without
them, so the first chart page of a tab does not load it (ui/element_preload.py)."""
from __future__ import annotations

import pytest

from conftest import wait_for_app
from ui.element_preload import ELEMENT_MODULES, element_module_names

STEP_MS = 120_000
LOADED_JS = "() => window.__csElementsPreload === 'loaded'"
FETCHED_JS = """(name) => performance.getEntriesByType('resource')
    .map((e) => e.name.split('/').pop())
    .filter((file) => file.startsWith(name + '.') && file.endsWith('.js')).length"""


def test_every_element_module_is_found_in_this_streamlit():
    """A Streamlit upgrade that renames a module would silently drop it from the preload."""
    names = element_module_names()
    assert [name.split(".")[0] for name in names] == list(ELEMENT_MODULES)


@pytest.mark.browser
def test_the_chart_code_loads_on_a_page_without_charts_and_is_not_fetched_again(shared_demo_server, browser_page):
    page = browser_page
    page.add_init_script("performance.setResourceTimingBufferSize(2000)")  # 250 by default
    page.goto(f"{shared_demo_server.url}/data")
    wait_for_app(page, STEP_MS)
    assert page.locator(".js-plotly-plot").count() == 0  # the Data page has no chart
    page.wait_for_function(LOADED_JS, timeout=STEP_MS)  # after the tab was quiet for a moment
    for module in ELEMENT_MODULES:  # a module another one depends on may be listed twice (a preload link)
        assert page.evaluate(FETCHED_JS, module) >= 1, module
    assert page.evaluate(FETCHED_JS, "PlotlyChart") == 1

    page.get_by_role("link", name="Revenue").click()
    wait_for_app(page, STEP_MS)
    page.locator(".js-plotly-plot").first.wait_for(timeout=STEP_MS)
    assert page.evaluate(FETCHED_JS, "PlotlyChart") == 1  # the page used the module already loaded
