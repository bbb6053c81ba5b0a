"""What a reader sees, in headless Chromium: the sidebar, figures in both themes, 2x images,
the run line under each walkthrough's title, and links to PyTorch's documentation.

Build the site first (``nox -s docs``); ``nox -s site`` runs these. The console-error
check of every page (favicon included) is ``test_site.py``'s.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sitecheck

EXAMPLES_DIR = sitecheck.ROOT / "examples"
SECTIONS = sorted(path.parent for path in EXAMPLES_DIR.glob("*/GALLERY_HEADER.rst"))
EXAMPLES = sorted(EXAMPLES_DIR.glob("*/plot_*.py"))
WALKTHROUGHS = [f"auto_examples/{p.parent.name}/{p.stem}.html" for p in EXAMPLES]
GALLERY_INDEXES = ["auto_examples/index.html"] + [
    f"auto_examples/{section.name}/index.html" for section in SECTIONS
]
THEMES = ("light", "dark")
# Mean relative luminance (0 black, 1 white) of a figure's visible image. furo's dark
# background is 0.007; a figure recoloured for it is mostly that background. A figure as
# drawn, on white, is mostly white.
DARK_AT_MOST = 0.2
LIGHT_AT_LEAST = 0.5

# The sidebar, as nested {title, href, children}, under each caption.
_SIDEBAR_JS = """
function tree(list) {
  return Array.from(list.children).map((item) => {
    const link = item.querySelector(":scope > a");
    const sublist = item.querySelector(":scope > ul");
    const children = sublist ? tree(sublist) : [];
    return {title: link.textContent.trim(), href: link.href.split("#")[0], children};
  });
}
const parts = [];
for (const node of document.querySelector(".sidebar-tree").children) {
  if (node.matches("p.caption")) parts.push({caption: node.textContent.trim(), items: []});
  else if (node.matches("ul")) parts[parts.length - 1].items.push(...tree(node));
}
return parts;
"""

# Each gallery image on the page: its classes, whether it shows, which file it shows and
# that file's mean luminance (drawn on a canvas, at its natural size).
_IMAGES_JS = """
const done = arguments[arguments.length - 1];
const selector = arguments[0];
const images = Array.from(document.querySelectorAll(selector));
Promise.all(images.map(async (img) => {
  img.loading = "eager";
  await img.decode().catch(() => null);
  const shown = getComputedStyle(img).display !== "none" && img.getClientRects().length > 0;
  let luminance = null;
  if (shown && img.naturalWidth) {
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const linear = (v) => (v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const background = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number);
    let sum = 0;
    for (let i = 0; i < data.length; i += 4) {
      const a = data[i + 3] / 255;  // transparent pixels show the page behind them
      const [r, g, b] = [0, 1, 2].map((c) => linear(data[i + c] * a + background[c] * (1 - a)));
      sum += 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }
    luminance = sum / (data.length / 4);
  }
  return {classes: Array.from(img.classList), shown, src: img.currentSrc,
          srcset: img.getAttribute("srcset"), width: img.naturalWidth, luminance};
})).then(done);
"""


def _open(browser, url: str, theme: str, *, scale: float = 1):
    """Load ``url`` with the reader's preferred colour scheme (furo's "auto") set to ``theme``."""
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": theme}]},
    )
    sitecheck.set_screen(browser, 1280, scale=scale)
    browser.get(url)


@pytest.fixture
def reset_browser(browser):
    yield browser
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": "light"}]},
    )
    sitecheck.reset_screen(browser)
    browser.execute_script("localStorage.clear()")


# ---------------------------------------------------------------------------------------
# The sidebar
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [*WALKTHROUGHS, "index.html"])
def test_sidebar_lists_the_sections_in_order_each_with_its_pages(path, site_url, reset_browser):
    reset_browser.get(site_url + path)
    parts = reset_browser.execute_script(_SIDEBAR_JS)
    assert [part["caption"] for part in parts] == ["Learn", "Try it", "Reference"]
    (gallery,) = parts[0]["items"]
    assert gallery["href"] == site_url + "auto_examples/index.html"
    sections = gallery["children"]
    assert [s["href"] for s in sections] == [
        f"{site_url}auto_examples/{section.name}/index.html" for section in SECTIONS
    ]
    assert [s["title"].split(".")[0] for s in sections] == [
        str(n) for n in range(1, len(SECTIONS) + 1)
    ]
    for section, entry in zip(SECTIONS, sections, strict=True):
        assert [p["href"] for p in entry["children"]] == [
            f"{site_url}auto_examples/{section.name}/{example.stem}.html"
            for example in sorted(section.glob("plot_*.py"))
        ], entry["title"]
        assert all(not p["children"] for p in entry["children"]), "pages only, no headings"


# ---------------------------------------------------------------------------------------
# Figures and thumbnails in both themes, sharp at 2x
# ---------------------------------------------------------------------------------------


def _pairs(images: list[dict], light_class: str = "only-light") -> list[tuple[dict, dict]]:
    """Images as (light, dark) pairs, in page order; fails on an image without its twin."""
    assert images, "no images found on the page"
    kinds = ["light" if light_class in i["classes"] else "dark" for i in images]
    assert all((light_class in i["classes"]) != ("only-dark" in i["classes"]) for i in images)
    assert kinds == ["light", "dark"] * (len(images) // 2), kinds
    return list(zip(images[::2], images[1::2], strict=True))


def _check_themed(images: list[dict], theme: str):
    for light, dark in _pairs(images):
        shown = light if theme == "light" else dark
        hidden = dark if theme == "light" else light
        assert shown["shown"], (theme, shown["src"])
        assert not hidden["shown"], (theme, hidden["src"])
        assert shown["width"] > 0, f"{shown['src']} did not load"
        if theme == "dark":
            assert shown["luminance"] <= DARK_AT_MOST, (shown["src"], shown["luminance"])
        else:
            assert shown["luminance"] >= LIGHT_AT_LEAST, (shown["src"], shown["luminance"])


FIGURES = "img.sphx-glr-single-img, img.sphx-glr-multi-img"
THUMBNAILS = ".sphx-glr-thumbcontainer img"


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", WALKTHROUGHS)
def test_each_figure_shows_its_rendering_for_the_readers_theme(
    path, theme, site_url, reset_browser
):
    """furo's "auto" follows prefers-color-scheme: the figure that matches is the one shown."""
    _open(reset_browser, site_url + path, theme)
    images = reset_browser.execute_async_script(_IMAGES_JS, FIGURES)
    if not images:
        pytest.skip(f"{path} has no figures")  # the walkthroughs that print only
    _check_themed(images, theme)


@pytest.mark.parametrize("theme", THEMES)
def test_figures_follow_the_theme_chosen_with_furos_toggle(theme, site_url, reset_browser):
    """A reader's explicit choice (stored by furo's toggle) beats prefers-color-scheme."""
    page = site_url + WALKTHROUGHS[0]
    other = "light" if theme == "dark" else "dark"
    _open(reset_browser, page, other)
    reset_browser.execute_script("localStorage.setItem('theme', arguments[0])", theme)
    reset_browser.get(page)
    assert reset_browser.execute_script("return document.body.dataset.theme") == theme
    _check_themed(reset_browser.execute_async_script(_IMAGES_JS, FIGURES), theme)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("path", GALLERY_INDEXES[1:])
def test_thumbnails_follow_the_readers_theme(path, theme, site_url, reset_browser):
    _open(reset_browser, site_url + path, theme)
    _check_themed(reset_browser.execute_async_script(_IMAGES_JS, THUMBNAILS), theme)


def test_every_walkthrough_with_output_has_figures(site_dir):
    """The figure checks above cover the gallery: pages without figures are the exceptions."""
    with_figures = [
        page
        for page in WALKTHROUGHS
        if "sphx-glr-single-img" in (site_dir / page).read_text()
        or "sphx-glr-multi-img" in (site_dir / page).read_text()
    ]
    assert len(with_figures) >= len(WALKTHROUGHS) // 2, with_figures


@pytest.mark.parametrize("path", WALKTHROUGHS)
def test_figures_have_2x_sources_that_a_high_density_screen_takes(
    path, site_url, site_dir, reset_browser
):
    _open(reset_browser, site_url + path, "light")
    plain = reset_browser.execute_async_script(_IMAGES_JS, FIGURES)
    if not plain:
        pytest.skip(f"{path} has no figures")
    _open(reset_browser, site_url + path, "light", scale=2)
    sharp = reset_browser.execute_async_script(_IMAGES_JS, FIGURES)
    for one, two in zip(plain, sharp, strict=True):
        assert re.search(r"\s2(\.0+)?x\s*$", one["srcset"] or ""), one["srcset"]
        if two["shown"]:
            assert two["src"].endswith("_2_00x.png"), two["src"]
            # naturalWidth counts CSS pixels (a 2x image reports half its width): read the
            # files' own widths.
            one_px, two_px = (_png_width(site_dir, site_url, i["src"]) for i in (one, two))
            assert abs(two_px - 2 * one_px) <= 2, (one["src"], one_px, two_px)


def _png_width(site_dir, site_url: str, url: str) -> int:
    header = (site_dir / url.removeprefix(site_url)).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", url
    return int.from_bytes(header[16:20], "big")


# ---------------------------------------------------------------------------------------
# When and where each walkthrough ran
# ---------------------------------------------------------------------------------------

RUN_LINE = re.compile(
    r"^Executed on (?P<date>\d{4}-\d\d-\d\d) at (?P<time>\d\d:\d\d) UTC, with Python "
    r"(?P<python>\d+\.\d+\.\d+\S*) and torch (?P<torch>\d+\.\d+\S*), on (?P<device>.+)\.$"
)


@pytest.mark.parametrize("path", WALKTHROUGHS)
def test_walkthrough_says_when_and_where_it_ran_under_its_title(path, site_url, reset_browser):
    reset_browser.get(site_url + path)
    line = reset_browser.execute_script(
        "const title = document.querySelector('article h1');"
        "const next = title.parentElement.querySelector(':scope > h1 + p');"
        "return next && next.matches('.mnisttutor-run-record') ? next.textContent.trim() : null;"
    )
    assert line, "no run line right under the title"
    match = RUN_LINE.match(line)
    assert match, line
    executed = datetime.fromisoformat(f"{match['date']}T{match['time']}+00:00")
    assert executed <= datetime.now(timezone.utc)
    assert match["device"].split(":")[0] in {"CPU", "CUDA", "MPS", "XPU", "MTIA", "HPU"}
    count = reset_browser.execute_script(
        "return document.querySelectorAll('.mnisttutor-run-record').length"
    )
    assert count == 1
    # sphinx-gallery's own records of that run, beside its output: the checksum it wrote
    # when the run ended, and how long the run took. The line's time must fall in it,
    # however many rebuilds reused the output since.
    output = sitecheck.ROOT / "docs" / path.removesuffix(".html")
    ended = datetime.fromtimestamp(Path(f"{output}.py.md5").stat().st_mtime, timezone.utc)
    took = json.loads(Path(f"{output}.cost.json").read_text())["time"]
    started = executed.timestamp()  # to the minute, as the line says
    assert started - 60 <= ended.timestamp() <= started + 60 + took + 60, (line, ended)


# ---------------------------------------------------------------------------------------
# Links to PyTorch's documentation
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pytorch_links(site_dir):
    return {
        page: links
        for page in sitecheck.site_pages(site_dir)
        if (links := sitecheck.pytorch_links((site_dir / page).read_text(encoding="utf-8")))
    }


def test_every_pytorch_link_names_something_in_the_installed_torch(pytorch_links):
    assert pytorch_links, "no page links to PyTorch's documentation"
    bad = {}
    for page, links in pytorch_links.items():
        for link in links:
            match = sitecheck.PYTORCH_API_PAGE.match(link)
            if not (match and sitecheck.torch_object(match["name"]) is not None):
                bad.setdefault(page, []).append(link)
    assert bad == {}, "links not built from a name in torch (use :pt:`torch.x.Y`)"


def test_the_build_page_links_the_pytorch_apis_it_names(pytorch_links):
    """docs/building.rst names the torch settings each walkthrough starts from."""
    assert len(pytorch_links.get("building.html", [])) >= 4
