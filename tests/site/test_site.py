"""The built site, checked page by page in headless Chromium, by axe-core, vnu and linkchecker.

Build it first (``nox -s docs``); ``nox -s site`` then runs these with
``MNISTTUTOR_REQUIRE_SITE=1``, so a missing site or tool fails instead of skipping.
"""

from __future__ import annotations

import pytest
import sitecheck


def test_page_loads_without_console_errors(page_report):
    assert page_report.console_errors == []


def test_page_has_no_broken_images(page_report):
    assert page_report.broken_images == []


def test_page_requests_nothing_from_another_host(page_report):
    assert page_report.external_requests == []


def test_page_html_loads_nothing_from_another_host(page, site_dir):
    html = (site_dir / page).read_text(encoding="utf-8")
    assert sitecheck.external_resources_in_html(html) == []


def test_page_has_no_serious_accessibility_violations(page_report):
    violations = page_report.serious_axe_violations()
    assert violations == [], "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at {v['nodes'][:5]}" for v in violations
    )


def test_page_has_no_serious_accessibility_violations_in_dark_mode(
    page, site_url, browser, npm_tools
):
    """furo follows the reader's colour preference: check the dark colours too."""
    report = sitecheck.visit(browser, site_url + page, color_scheme="dark")
    violations = report.serious_axe_violations()
    assert violations == [], "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at {v['nodes'][:5]}" for v in violations
    )


@pytest.fixture(scope="session")
def vnu_report(site_dir, npm_tools):
    """vnu's errors for the whole site, from one run of the checker."""
    pages = [site_dir / page for page in sitecheck.site_pages(site_dir)]
    return sitecheck.vnu_errors(pages, root=site_dir)


def test_page_is_valid_html(page, vnu_report):
    errors = [
        error
        for on_page, error in vnu_report
        if on_page == page and not sitecheck.vnu_allowance(page, error)
    ]
    assert errors == []


def test_every_vnu_allowance_is_still_needed(vnu_report):
    used = {sitecheck.vnu_allowance(page, error) for page, error in vnu_report}
    unused = [entry for entry in sitecheck.VNU_ALLOWED if entry not in used]
    assert unused == [], "drop these from sitecheck.VNU_ALLOWED: nothing needs them"


def test_stylesheets_load_nothing_from_another_host(site_dir):
    stylesheets = sorted(site_dir.rglob("*.css"))
    assert stylesheets, f"no stylesheets under {site_dir}: is this a Sphinx build?"
    external = {
        css.relative_to(site_dir).as_posix(): found
        for css in stylesheets
        if (found := [u for u in sitecheck.css_urls(css.read_text()) if sitecheck.is_external(u)])
    }
    assert external == {}


def test_no_broken_links(site_dir, site_url, linkchecker):
    pages = [site_url + page for page in sitecheck.site_pages(site_dir)]
    assert sitecheck.broken_links(pages) == []


def test_every_example_has_a_page(site_dir):
    """The per-page checks cover the whole gallery: no example was left out of the build."""
    examples = sitecheck.ROOT / "examples"
    expected = {
        "auto_examples/" + path.relative_to(examples).with_suffix(".html").as_posix()
        for path in examples.rglob("plot_*.py")
    }
    assert expected, f"no examples found under {examples}"
    assert expected - set(sitecheck.site_pages(site_dir)) == set()
