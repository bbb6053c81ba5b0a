"""No page scrolls sideways, on a wide screen or on a phone.

Wide content (a pandas table, a long line of code) must scroll inside its own box; when
it widens the page instead, the whole page pans sideways and the text column with it.
Each page is loaded at 1280 px and at 400 px wide, and the page's scroll width is held
against its viewport's width. On a narrow screen furo makes the text column itself a
scrolling box, so a wide table pans the column instead of the page: every box that
holds the article and scrolls is held to its own width too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sitecheck

WIDTHS = (1280, 400)

# How far the page reaches past the viewport, and the widest elements that stick out,
# each with the first classes of itself and of its parent, so a failure says where to look.
_OVERFLOW_JS = """
const viewport = document.documentElement.clientWidth;
const page = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
const culprits = [];
if (page > viewport) {
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.right <= viewport + 1 || box.width === 0) continue;
    let scrolls = false;  // inside a box that scrolls its own content: contained
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === "auto" || overflow === "scroll" || overflow === "hidden") {
        scrolls = true;
        break;
      }
    }
    if (scrolls) continue;
    const name = (e) => e.tagName.toLowerCase() + (e.classList.length ? "." + e.classList[0] : "");
    const where = `${name(element.parentElement)} > ${name(element)}`;
    culprits.push(`${where} ends at ${Math.round(box.right)} px`);
  }
}
// The article's own scrolling boxes (furo's .content, on a narrow screen): text pans there.
const panning = [];
const article = document.querySelector("article") || document.body;
for (let box = article; box && box !== document.documentElement; box = box.parentElement) {
  const overflow = getComputedStyle(box).overflowX;
  if ((overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1) {
    const name = `${box.tagName.toLowerCase()}.${box.classList[0] || ""}`;
    panning.push(`${name} is ${box.scrollWidth} px wide in ${box.clientWidth} px`);
  }
}
return {viewport, page, culprits: culprits.slice(0, 5), panning};
"""


def overflow(browser, url: str, width: int) -> dict:
    """Load ``url`` at ``width`` px; what reaches past the viewport's right edge."""
    sitecheck.set_screen(browser, width)
    browser.get(url)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.allSettled(Array.from(document.images).map("
        "(img) => { img.loading = 'eager'; return img.decode(); })).then(() => done());"
    )
    return browser.execute_script(_OVERFLOW_JS)


@pytest.fixture
def sized_browser(browser):
    yield browser
    sitecheck.reset_screen(browser)


@pytest.mark.parametrize("width", WIDTHS)
def test_page_does_not_scroll_sideways(page, width, site_url, sized_browser):
    found = overflow(sized_browser, site_url + page, width)
    assert found["page"] <= found["viewport"], (
        f"{page} is {found['page']} px wide in a {found['viewport']} px viewport: "
        + "; ".join(found["culprits"])
    )
    assert found["panning"] == [], f"{page}: the text column scrolls sideways"


# Printed lines cut off at a phone's right edge: the numbers at their ends go unseen
# unless the reader thinks to scroll the output's box (docs/_static/mnisttutor.css).
_CUT_OFF_OUTPUT_JS = """
return Array.from(document.querySelectorAll(".sphx-glr-script-out pre"))
  .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
  .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a)));
"""


def test_printed_output_fits_a_phone(page, site_url, sized_browser):
    overflow(sized_browser, site_url + page, 400)
    cut_off = sized_browser.execute_script(_CUT_OFF_OUTPUT_JS)
    assert cut_off == [], f"{page}: output lines run off a 400 px screen, e.g. {cut_off[:3]}"


# The check itself, on two small pages: one with a table wider than any screen, loose on
# the page, and the same table in a box that scrolls it.
WIDE_TABLE = "<table><tr>" + "<td>column</td>" * 300 + "</tr></table>"
PAGES = {
    "loose.html": f"<!DOCTYPE html><html><body><p>text</p>{WIDE_TABLE}</body></html>",
    "boxed.html": '<!DOCTYPE html><html><body><p>text</p><div style="overflow-x: auto">'
    f"{WIDE_TABLE}</div></body></html>",
    "panning.html": '<!DOCTYPE html><html><body><div style="overflow-x: auto"><article>'
    f"<p>text</p>{WIDE_TABLE}</article></div></body></html>",
}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("layout")
    for name, html in PAGES.items():
        (folder / name).write_text(html, encoding="utf-8")
    with sitecheck.LocalServer(folder) as url:
        yield url


@pytest.mark.parametrize("width", WIDTHS)
def test_the_check_sees_a_loose_wide_table_and_accepts_a_boxed_one(
    fixture_site, sized_browser, width
):
    loose = overflow(sized_browser, fixture_site + "loose.html", width)
    boxed = overflow(sized_browser, fixture_site + "boxed.html", width)
    assert loose["page"] > loose["viewport"]
    assert "body > table" in loose["culprits"][0]
    assert boxed["page"] <= boxed["viewport"]
    assert boxed["panning"] == []
    panning = overflow(sized_browser, fixture_site + "panning.html", width)
    assert panning["page"] <= panning["viewport"]
    assert len(panning["panning"]) == 1
