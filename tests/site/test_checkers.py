"""The site checkers catch what they are for: each runs on a page broken on purpose.

``broken_site/ok.html`` and ``other.html`` are the controls that every checker must pass,
so a checker that flags everything fails here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sitecheck

BROKEN_SITE = Path(__file__).parent / "broken_site"


@pytest.fixture(scope="module")
def broken_url():
    with sitecheck.LocalServer(BROKEN_SITE) as url:
        yield url


@pytest.fixture(scope="module")
def reports(broken_url, browser, npm_tools):
    """One browser visit to each page of the broken site."""
    return {
        page: sitecheck.visit(browser, broken_url + page)
        for page in sitecheck.site_pages(BROKEN_SITE)
    }


def test_fixture_pages_are_all_found():
    assert sitecheck.site_pages(BROKEN_SITE) == [
        "broken-anchor.html",
        "broken-image.html",
        "broken-link.html",
        "console-error.html",
        "dark-contrast.html",
        "external.html",
        "inaccessible.html",
        "invalid.html",
        "no-icon.html",
        "ok.html",
        "other.html",
    ]


def test_control_pages_pass_every_browser_check(reports):
    for page in ("ok.html", "other.html"):
        assert reports[page] == sitecheck.PageReport(), page


def test_control_page_ran_its_script_and_loaded_its_lazy_image(broken_url, browser, npm_tools):
    sitecheck.visit(browser, broken_url + "ok.html")
    assert browser.execute_script("return document.body.dataset.scriptRan") == "yes"
    assert browser.execute_script("return document.images[0].naturalWidth") == 20


def test_a_broken_image_is_reported(reports):
    assert reports["broken-image.html"].broken_images == ["no-such-image.png"]


def test_a_script_error_is_reported(reports):
    (error,) = reports["console-error.html"].console_errors
    assert "undefinedFunction is not a function" in error


def test_requests_to_other_hosts_are_recorded_and_blocked(reports):
    report = reports["external.html"]
    assert report.external_requests == [
        "https://cdn.example.com/tracker.js",
        "https://fonts.example.com/css2?family=Roboto",
    ]
    # The resolver rule blocks them, so they also fail loudly in the console.
    assert any("ERR_NAME_NOT_RESOLVED" in e for e in report.console_errors)


def test_serious_accessibility_violations_are_reported(reports):
    found = {v["id"] for v in reports["inaccessible.html"].serious_axe_violations()}
    assert found == {"image-alt", "color-contrast"}


def test_colours_are_checked_in_the_scheme_the_reader_prefers(broken_url, browser, npm_tools):
    def contrast_failures(scheme):
        report = sitecheck.visit(browser, broken_url + "dark-contrast.html", color_scheme=scheme)
        return [v["id"] for v in report.serious_axe_violations()]

    assert contrast_failures("light") == []
    assert contrast_failures("dark") == ["color-contrast"]


def test_external_resources_are_found_in_html_and_css():
    html = (BROKEN_SITE / "external.html").read_text(encoding="utf-8")
    assert sitecheck.external_resources_in_html(html) == [
        "https://fonts.example.com/css2?family=Roboto",
        "https://cdn.example.com/tracker.js",
    ]
    for page in ("ok.html", "other.html"):
        assert sitecheck.external_resources_in_html((BROKEN_SITE / page).read_text()) == []
    css = (BROKEN_SITE / "external-css.css").read_text(encoding="utf-8")
    assert [u for u in sitecheck.css_urls(css) if sitecheck.is_external(u)] == [
        "https://fonts.example.com/css2?family=Roboto"
    ]


def test_invalid_html_is_reported(npm_tools):
    pages = [BROKEN_SITE / name for name in ("invalid.html", "ok.html", "other.html")]
    errors = sitecheck.vnu_errors(pages, root=BROKEN_SITE)
    assert {page for page, _ in errors} == {"invalid.html"}
    assert any("Duplicate ID “twice”" in error for _, error in errors)


def test_vnu_allow_list_covers_only_its_pages_and_messages():
    viewcode = "line 3: Element “div” not allowed as child of element “pre” in this context."
    assert sitecheck.vnu_allowance("_modules/mnisttutor/data.html", viewcode) is not None
    assert sitecheck.vnu_allowance("index.html", viewcode) is None
    assert sitecheck.vnu_allowance("_modules/a.html", "line 1: Duplicate ID “a”.") is None


def test_broken_links_and_anchors_are_reported(broken_url, linkchecker):
    problems = sitecheck.broken_links(
        [broken_url + page for page in ("ok.html", "broken-link.html", "broken-anchor.html")]
    )
    assert len(problems) == 2, problems
    missing_page, missing_anchor = sorted(problems)
    assert missing_page.startswith("no-such-page.html (on ")
    assert "404" in missing_page
    assert missing_anchor.startswith("other.html#no-such-section (on ")


def test_a_missing_icon_is_reported(reports):
    """A page that names no icon makes Chromium ask for /favicon.ico: a 404 in the console."""
    (error,) = reports["no-icon.html"].console_errors
    assert "favicon.ico" in error
