"""Copy buttons on code blocks (sphinx-copybutton, configured in docs/conf.py).

Clicked in headless Chromium as a reader clicks them, with the clipboard read back: a
walkthrough's code block copies exactly its code, a console block its command without
the ``$`` prompt, and a docstring's example its Python without the ``>>>`` prompts or
what the example prints. A walkthrough's printed output has no button. The button's
files come from the site itself, a keyboard user who tabs to a button sees it, and a
phone (no hover) shows it.
"""

from __future__ import annotations

import pytest

WALKTHROUGH = "auto_examples/03_pytorch_tensors_autograd/plot_01_tensors_and_autograd.html"
CONSOLE = "building.html"  # console blocks with "$ " prompts
DOCTEST = "gen_modules/api/mnisttutor.Classifier.html"  # its docstring's ">>> " example

READ_CLIPBOARD = """
const done = arguments[arguments.length - 1];
navigator.clipboard.readText().then(done, (error) => done({error: String(error)}));
"""


@pytest.fixture
def reader(browser, site_url):
    """The browser, allowed to read the clipboard of the site's origin, back at 1280 px."""
    browser.set_window_size(1280, 900)
    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": site_url.rstrip("/"), "permissions": ["clipboardReadWrite"]},
    )
    yield browser
    browser.execute_cdp_cmd("Browser.resetPermissions", {})
    browser.set_window_size(1280, 900)


def _open(reader, url: str) -> None:
    reader.get(url)
    # Every image loaded now, so that none loads later and moves a button under the mouse
    # (sphinx-gallery's are lazy); then wait for sphinx-copybutton to add its buttons.
    reader.execute_async_script(
        """const done = arguments[arguments.length - 1];
        const images = Array.from(document.images);
        images.forEach((image) => { image.loading = "eager"; });
        const added = () => document.querySelector("button.copybtn");
        const buttons = () => (added() ? done() : setTimeout(buttons, 50));
        Promise.allSettled(images.map((image) => image.decode())).then(buttons);"""
    )


def _copy(reader, block) -> str:
    """Click the copy button of the code block ``block`` (its ``pre``); the clipboard."""
    from selenium.webdriver.common.by import By

    reader.execute_script("navigator.clipboard.writeText('(nothing copied)')")
    button = block.find_element(By.XPATH, "following-sibling::button[1]")
    assert "copybtn" in button.get_attribute("class")
    reader.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button
    )
    button.click()  # a trusted click, as a reader's
    copied = reader.execute_async_script(READ_CLIPBOARD)
    assert not isinstance(copied, dict), copied
    return copied


def test_a_walkthroughs_code_copies_exactly_and_its_output_has_no_button(reader, site_url):
    from selenium.webdriver.common.by import By

    _open(reader, site_url + WALKTHROUGH)
    code = reader.find_elements(By.CSS_SELECTOR, "div.highlight-Python div.highlight pre")
    outputs = reader.find_elements(By.CSS_SELECTOR, ".sphx-glr-script-out pre")
    assert len(code) > 5
    assert outputs
    buttons = reader.find_elements(By.CSS_SELECTOR, "button.copybtn")
    assert len(buttons) == len(code)  # one per code block, none on printed output
    for output in outputs:
        assert not output.find_elements(By.XPATH, "following-sibling::button")
    for block in (code[0], code[-1]):
        expected = reader.execute_script("return arguments[0].innerText", block).rstrip("\n")
        assert _copy(reader, block) == expected
    assert "y = (x - 1) * (x - 2) * (x - 3)" in _copy(reader, code[1])


def test_a_console_block_copies_its_commands_without_prompts(reader, site_url):
    from selenium.webdriver.common.by import By

    _open(reader, site_url + CONSOLE)
    consoles = reader.find_elements(By.CSS_SELECTOR, "div.highlight-console div.highlight pre")
    assert consoles, "no console block on the building page"
    for block in consoles:
        shown = reader.execute_script("return arguments[0].innerText", block)
        assert shown.lstrip().startswith("$ "), shown
        copied = _copy(reader, block)
        assert "$ " not in copied, copied
        assert copied.splitlines()[0] == shown.lstrip().splitlines()[0].removeprefix("$ ")


def test_a_docstring_example_copies_its_python_without_prompts_or_output(reader, site_url):
    from selenium.webdriver.common.by import By

    _open(reader, site_url + DOCTEST)
    examples = [
        block
        for block in reader.find_elements(By.CSS_SELECTOR, "div.doctest div.highlight pre")
        if ">>> " in reader.execute_script("return arguments[0].innerText", block)
    ]
    assert examples, "no doctest on the Classifier's page"
    shown = reader.execute_script("return arguments[0].innerText", examples[0]).splitlines()
    python = [line[4:] for line in shown if line.startswith((">>> ", "... "))]
    printed = [line for line in shown if line and not line.startswith((">>> ", "... "))]
    assert printed, "the example prints nothing: it cannot show that output is left out"
    assert _copy(reader, examples[0]).splitlines() == python


def test_the_buttons_come_from_the_site_and_show_to_keyboard_and_touch(reader, site_url):
    from selenium.webdriver.common.by import By

    _open(reader, site_url + WALKTHROUGH)
    scripts = reader.execute_script(
        "return Array.from(document.scripts, (s) => s.src).filter((s) => /copy|clipboard/.test(s))"
    )
    assert scripts, "sphinx-copybutton's scripts are not on the page"
    assert all(src.startswith(site_url + "_static/") for src in scripts), scripts
    button = reader.find_element(By.CSS_SELECTOR, "button.copybtn")
    reader.execute_script("arguments[0].style.transition = 'none'", button)  # no fading
    opacity = "return getComputedStyle(arguments[0]).opacity"
    # Headless Chromium has no pointer that hovers, as a phone: the button always shows,
    # above the code's first line, not over it.
    assert reader.execute_script("return matchMedia('(hover: none)').matches")
    assert reader.execute_script(opacity, button) == "1"
    code = button.find_element(By.XPATH, "preceding-sibling::pre[1]")
    assert reader.execute_script(BUTTON_CLEAR_OF_FIRST_LINE, button, code)
    # With a mouse (the rule for screens without hover taken out, as a mouse's browser
    # would not apply it) the button hides until the pointer is over its code...
    reader.execute_script(TAKE_OUT_HOVER_NONE)
    assert reader.execute_script(opacity, button) == "0"
    # ...or until the keyboard reaches it: then it shows, with a focus ring.
    reader.execute_script("arguments[0].focus()", button)  # as after the Tab key
    assert reader.execute_script("return arguments[0].matches(':focus-visible')", button)
    style = reader.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.opacity, s.outlineStyle]", button
    )
    assert style == ["1", "solid"]


# The bottom of the button is above the top of the first line of text in the code block.
BUTTON_CLEAR_OF_FIRST_LINE = """
const [button, code] = arguments;
const range = document.createRange();
range.selectNodeContents(code);
const firstLine = range.getClientRects()[0];
return button.getBoundingClientRect().bottom <= firstLine.top;
"""

TAKE_OUT_HOVER_NONE = """
for (const sheet of document.styleSheets) {
  if (!(sheet.href || "").includes("/_static/copy-buttons.css")) continue;
  for (let i = sheet.cssRules.length - 1; i >= 0; i--) {
    if (sheet.cssRules[i].conditionText === "(hover: none)") sheet.deleteRule(i);
  }
}
"""
