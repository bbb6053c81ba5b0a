"""Every figure's smallest text, at the size a reader sees it, is at least the page's small print.

A figure is drawn in inches and shown in the text column: on a 400 px phone, an image
drawn 800 px wide shows 353 px wide, and its text shrinks with it. The site's image
scraper (docs/_ext/figure_themes.py) writes on each figure's ``<img>``, and on the
``<source>`` of its phone rendering where it has one, how tall its smallest text was
drawn, in that image's own pixels at 1x (``data-smallest-text-px``). The browser says
which rendering it chose (``currentSrc``), how wide that image was drawn (its
``naturalWidth``: CSS px at 1x, whatever the screen's density) and how wide it shows:
the text shows at ``drawn size * shown width / drawn width`` CSS px.

Each walkthrough is loaded at 400 px (a phone) and 1280 px, light and dark, and every
figure shown is held to ``MIN_TEXT_PX``. The check itself is held against small pages
with images of known sizes, at 1x and 2x.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
import sitecheck

_spec = importlib.util.spec_from_file_location(
    "figure_text", sitecheck.ROOT / "docs/_ext/figure_text.py"
)
figure_text = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = figure_text  # its dataclass looks its module up there
_spec.loader.exec_module(figure_text)
MIN_TEXT_PX = figure_text.MIN_TEXT_PX

EXAMPLES = sorted((sitecheck.ROOT / "examples").glob("*/plot_*.py"))
WALKTHROUGHS = [f"auto_examples/{p.parent.name}/{p.stem}.html" for p in EXAMPLES]
WIDTHS = (400, 1280)
THEMES = ("light", "dark")
FIGURES = "img.sphx-glr-single-img, img.sphx-glr-multi-img"

# Each figure on the page: whether it shows, the file the browser chose, that file's drawn
# width (naturalWidth) and shown width in CSS px, and the drawn size of its smallest text,
# from the element that offered the chosen file (a <source> of its <picture>, or the img).
_FIGURES_JS = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.querySelectorAll(arguments[0]));
const absolute = (url) => new URL(url, document.baseURI).href;
Promise.all(images.map(async (img) => {
  img.loading = "eager";
  await img.decode().catch(() => null);
  let chosen = img;
  if (img.parentElement.tagName === "PICTURE") {
    for (const source of img.parentElement.querySelectorAll("source")) {
      const urls = source.srcset.split(",").map((part) => absolute(part.trim().split(/\\s+/)[0]));
      if (urls.includes(img.currentSrc)) chosen = source;
    }
  }
  const drawn = chosen.dataset.smallestTextPx;
  return {
    shown: getComputedStyle(img).display !== "none" && img.getClientRects().length > 0,
    src: img.currentSrc.split("/").pop(),
    naturalWidth: img.naturalWidth,
    width: img.getBoundingClientRect().width,
    drawnTextPx: drawn === undefined || drawn === "none" ? drawn ?? null : Number(drawn),
  };
})).then(done);
"""


def shown_figures(browser, url: str, width: int, theme: str = "light", scale: float = 1):
    """The figures shown on ``url`` at ``width`` CSS px, each with its smallest text's size.

    ``text_px`` is the smallest text's height in CSS px as shown, or None where the page
    does not say how large the figure's text was drawn.
    """
    sitecheck.set_screen(browser, width, scale=scale)
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": theme}]},
    )
    browser.get(url)
    figures = [f for f in browser.execute_async_script(_FIGURES_JS, FIGURES) if f["shown"]]
    for figure in figures:
        drawn, natural = figure["drawnTextPx"], figure["naturalWidth"]
        if drawn == "none":  # a figure with no text has none too small
            figure["text_px"] = math.inf
        elif drawn is None or not natural:
            figure["text_px"] = None
        else:
            figure["text_px"] = drawn * figure["width"] / natural
    return figures


def too_small(figures: list[dict]) -> list[str]:
    """Each figure whose smallest text shows under ``MIN_TEXT_PX``, or whose size is unknown."""
    return [
        f"{f['src']}: no record of how large its text was drawn (data-smallest-text-px)"
        if f["text_px"] is None
        else f"{f['src']}: smallest text {f['text_px']:.1f} CSS px (drawn "
        f"{f['drawnTextPx']:g} px on an image {f['naturalWidth']} px wide, shown "
        f"{f['width']:.0f} px wide)"
        for f in figures
        if f["text_px"] is None or f["text_px"] < MIN_TEXT_PX
    ]


@pytest.fixture
def reset_browser(browser):
    yield browser
    sitecheck.reset_screen(browser)
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "light"}]},
    )


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", WALKTHROUGHS)
def test_every_figures_text_reads_at_least_as_large_as_the_pages_small_print(
    path, width, theme, site_dir, site_url, reset_browser
):
    html = (site_dir / path).read_text(encoding="utf-8")
    if "sphx-glr-single-img" not in html and "sphx-glr-multi-img" not in html:
        pytest.skip(f"{path} has no figures")  # the walkthroughs that print only
    figures = shown_figures(reset_browser, site_url + path, width, theme)
    assert figures, f"{path} has figures but none shows at {width} px in the {theme} theme"
    small = too_small(figures)
    assert not small, f"at {width} px, {theme} theme:\n" + "\n".join(small)


# ---------------------------------------------------------------------------------------
# The check itself, on small pages: a column 353 px wide at 400 px (as furo's is), and
# images drawn 800 and 516 px wide whose smallest text was drawn 13.89 px tall (10 pt
# at 100 dpi).
# ---------------------------------------------------------------------------------------

_PAGE = (
    "<!DOCTYPE html><html><head><style>"
    "body {{ margin: 0 }} main {{ margin: 0 auto; max-width: 736px; padding: 0 23.5px }}"
    "img {{ display: block; max-width: 100%; height: auto }}"
    "</style></head><body><main>{}</main></body></html>"
)
_IMG = '<img class="sphx-glr-single-img" src="{}" srcset="{}" data-smallest-text-px="13.89">'
PAGES = {
    # Drawn 8 inches wide: 13.89 * 353 / 800 = 6.1 px on a phone, 12.8 px at 1280.
    "wide.html": _IMG.format("wide.png", "wide.png, wide_2x.png 2x"),
    # The same, with a phone rendering 5.16 inches wide: 13.89 * 353 / 516 = 9.5 px.
    "picture.html": '<picture><source media="(max-width: 48em)" srcset="narrow.png, '
    'narrow_2x.png 2x" data-smallest-text-px="13.89">'
    + _IMG.format("wide.png", "wide.png, wide_2x.png 2x")
    + "</picture>",
    # A figure whose page does not say how large its text is, and one without text.
    "unknown.html": '<img class="sphx-glr-single-img" src="wide.png">',
    "textless.html": '<img class="sphx-glr-single-img" src="wide.png" '
    'data-smallest-text-px="none">',
}


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    from PIL import Image

    folder: Path = tmp_path_factory.mktemp("figures")
    for name, width in (("wide", 800), ("narrow", 516)):
        Image.new("RGB", (width, 400), "white").save(folder / f"{name}.png")
        Image.new("RGB", (2 * width, 800), "white").save(folder / f"{name}_2x.png")
    for name, body in PAGES.items():
        (folder / name).write_text(_PAGE.format(body), encoding="utf-8")
    with sitecheck.LocalServer(folder) as url:
        yield url


@pytest.mark.parametrize("scale", [1, 2])
def test_the_check_finds_text_that_shrank_with_its_figure(fixture_site, reset_browser, scale):
    (phone,) = shown_figures(reset_browser, fixture_site + "wide.html", 400, scale=scale)
    assert phone["text_px"] == pytest.approx(13.89 * 353 / 800, abs=0.05)
    assert too_small([phone]) == [
        f"{phone['src']}: smallest text 6.1 CSS px (drawn 13.89 px on an image 800 px wide,"
        " shown 353 px wide)"
    ]
    (wide,) = shown_figures(reset_browser, fixture_site + "wide.html", 1280, scale=scale)
    assert wide["text_px"] == pytest.approx(13.89 * 736 / 800, abs=0.05)
    assert too_small([wide]) == []


@pytest.mark.parametrize("scale", [1, 2])
def test_the_check_measures_the_rendering_the_browser_chose(fixture_site, reset_browser, scale):
    (phone,) = shown_figures(reset_browser, fixture_site + "picture.html", 400, scale=scale)
    assert phone["src"] == ("narrow.png" if scale == 1 else "narrow_2x.png")
    assert phone["text_px"] == pytest.approx(13.89 * 353 / 516, abs=0.05)
    assert too_small([phone]) == []
    (wide,) = shown_figures(reset_browser, fixture_site + "picture.html", 1280, scale=scale)
    assert wide["src"] == ("wide.png" if scale == 1 else "wide_2x.png")
    assert wide["text_px"] == pytest.approx(13.89 * 736 / 800, abs=0.05)


def test_the_check_fails_a_figure_that_does_not_say_how_large_its_text_is(
    fixture_site, reset_browser
):
    (figure,) = shown_figures(reset_browser, fixture_site + "unknown.html", 400)
    assert too_small([figure]) == [
        "wide.png: no record of how large its text was drawn (data-smallest-text-px)"
    ]
    (textless,) = shown_figures(reset_browser, fixture_site + "textless.html", 400)
    assert too_small([textless]) == []
