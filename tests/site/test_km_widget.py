"""The kilometres-to-miles machine on section 1's first page, against that section's Python.

The widget's numbers (the example's 100 km, the true conversion, the learning rate and
the first guess) are its data attributes; these tests hold them against the values the
pages' Python uses, and its first "learn" step against the pages' own update rule.
"""

from __future__ import annotations

import ast

import pytest
from sitecheck import ROOT

PAGE = "auto_examples/01_learning_from_examples/plot_01_km_to_miles.html"
SECTION = ROOT / "examples" / "01_learning_from_examples"


def module_values(path) -> dict:
    """The top-level constants of an example (name = literal), by reading its source."""
    values = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Constant):
                values.setdefault(target.id, node.value.value)
    return values


def learn_function(path):
    """The update rule, ``learn(c, km, miles, learning_rate)``, as the page defines it."""
    tree = ast.parse(path.read_text())
    (function,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "learn"]
    namespace: dict = {}
    exec(compile(ast.Module([function], type_ignores=[]), str(path), "exec"), namespace)
    return namespace["learn"]


@pytest.fixture
def widget(browser, site_url):
    browser.get(site_url + PAGE)
    assert browser.execute_script("return Boolean(window.kmMachine)"), "the widget did not start"
    return browser


def attributes(browser) -> dict:
    return browser.execute_script(
        "return Object.assign({}, document.getElementById('km-machine').dataset)"
    )


def test_widget_uses_the_pages_numbers(widget):
    first, second = (
        module_values(SECTION / "plot_01_km_to_miles.py"),
        module_values(SECTION / "plot_02_learning_loop.py"),
    )
    data = attributes(widget)
    assert float(data["truth"]) == first["KM_TO_MILES"] == second["KM_TO_MILES"]
    assert float(data["km"]) == first["km"]
    assert float(data["start"]) == first["c"]
    assert float(data["rate"]) == second["LEARNING_RATE"]


def test_first_update_from_0_5_is_the_pythons(widget):
    data = attributes(widget)
    learn = learn_function(SECTION / "plot_02_learning_loop.py")
    km, truth, rate = float(data["km"]), float(data["truth"]), float(data["rate"])
    expected, _ = learn(0.5, km, truth * km, rate)
    assert widget.execute_script("return window.kmMachine.c") == 0.5
    button = widget.find_element("css selector", ".km-machine__learn")
    button.send_keys(" ")  # from the keyboard
    assert widget.execute_script("return window.kmMachine.c") == pytest.approx(expected, abs=1e-15)
    status = widget.find_element("css selector", ".km-machine__status").text
    assert "Step 1" in status
    number = widget.find_element("css selector", ".km-machine__number").get_attribute("value")
    assert float(number) == pytest.approx(expected, abs=1e-9)


def test_learning_approaches_the_truth_and_the_controls_set_c(widget):
    button = widget.find_element("css selector", ".km-machine__learn")
    for _ in range(40):
        button.send_keys(" ")
    assert widget.execute_script("return window.kmMachine.c") == pytest.approx(0.621371, abs=1e-4)
    number = widget.find_element("css selector", ".km-machine__number")
    number.clear()
    number.send_keys("0.7\n")
    assert widget.execute_script("return window.kmMachine.c") == 0.7
    answer = widget.find_element("css selector", ".km-machine__answer").text
    assert answer == "70.0000 miles"
    error = widget.find_element("css selector", ".km-machine__error").text
    assert error == "-7.8629 miles"
    slider = widget.find_element("css selector", "#km-machine-slider")
    widget.execute_script(
        "arguments[0].value = '0.6'; arguments[0].dispatchEvent(new Event('input'))", slider
    )
    assert widget.find_element("css selector", ".km-machine__error").text == "2.1371 miles"
