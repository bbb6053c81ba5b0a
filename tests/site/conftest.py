"""Fixtures for the tests of the built website (reusable by any site test).

- ``site_dir``: the built site, ``docs/_build/html`` or ``$MNISTTUTOR_SITE_DIR``.
- ``site_server``: that folder served over HTTP on 127.0.0.1, a
  :class:`sitecheck.LocalServer` (its ``url`` and the paths ``requested`` from it);
  ``site_url``: its base URL, ending in ``/``.
- ``browser``: a Selenium-driven headless Chromium for the whole test session; every
  host but 127.0.0.1 is unreachable from it.
- ``webgpu_browser``: another, with SwiftShader's WebGPU adapter
  (:data:`sitecheck.WEBGPU_FLAGS`), started by the first test that asks for it.
- ``page``: tests that take it run once per page of the site.
- ``mnist``: the MNIST files the site publishes for its lab (``_static/train/mnist``),
  as the pages read them: uint8 train images (N, 784), labels, test images, labels.

The tests marked ``notebook`` (the downloads, and a downloaded notebook run in a fresh
environment) run only when selected with ``-m notebook``, as ``nox -s notebook`` does;
the rest, the browser checks, are what ``nox -s site`` runs.

Where the site is not built, or Chromium, Selenium or the npm tools are missing, these
tests skip and say what is missing; with ``MNISTTUTOR_REQUIRE_SITE=1`` (``nox -s site``,
``nox -s notebook``, CI) they fail instead, so a missing piece can never pass as checked.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sitecheck

REQUIRE_ENV = "MNISTTUTOR_REQUIRE_SITE"
SITE_DIR = Path(os.environ.get("MNISTTUTOR_SITE_DIR") or sitecheck.ROOT / "docs/_build/html")


def unavailable(reason: str):
    """Skip with ``reason``, or fail where the site checks are required to run."""
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but {reason}")
    pytest.skip(reason)


def pytest_generate_tests(metafunc):
    if "page" in metafunc.fixturenames:
        pages = sitecheck.site_pages(SITE_DIR) if SITE_DIR.is_dir() else []
        # No site: one placeholder run, which the site_dir fixture skips (or fails) with why.
        metafunc.parametrize("page", pages or [None])


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").is_file():
        unavailable(f"there is no built site at {SITE_DIR} (build it with `nox -s docs`)")
    return SITE_DIR


@pytest.fixture(scope="session")
def site_server(site_dir):
    server = sitecheck.LocalServer(site_dir)
    with server:
        yield server


@pytest.fixture(scope="session")
def site_url(site_server):
    return site_server.url


@pytest.fixture(scope="session")
def npm_tools():
    """The pinned axe-core and vnu-jar from package-lock.json."""
    for path in (sitecheck.AXE_JS, sitecheck.VNU_JAR):
        if not path.is_file():
            unavailable(f"{path} is missing (run `npm ci` in {sitecheck.ROOT})")


@pytest.fixture(scope="session")
def linkchecker():
    try:
        import linkcheck  # noqa: F401
    except ImportError:
        unavailable("LinkChecker is not installed (it is in the `site` dependency group)")


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    try:
        import selenium  # noqa: F401
    except ImportError:
        unavailable("selenium is not installed (it is in the `site` dependency group)")
    try:
        sitecheck.chromium_paths()
    except FileNotFoundError as exc:
        unavailable(str(exc))
    session = sitecheck.start_browser(tmp_path_factory.mktemp("chromium-profile"))
    yield session
    session.quit()


@pytest.fixture(scope="session")
def webgpu_browser(tmp_path_factory, browser):
    """``browser`` checks the tools are there; this one computes WebGPU on the CPU."""
    session = sitecheck.start_browser(
        tmp_path_factory.mktemp("webgpu-profile"), extra_flags=sitecheck.WEBGPU_FLAGS
    )
    yield session
    session.quit()


@pytest.fixture(scope="session")
def mnist(site_dir):
    from mnisttutor import read_idx

    folder = site_dir / "_static" / "train" / "mnist"
    read = lambda name: read_idx(folder / f"{name}.gz")  # noqa: E731
    return (
        read("train-images-idx3-ubyte").reshape(-1, 784),
        read("train-labels-idx1-ubyte"),
        read("t10k-images-idx3-ubyte").reshape(-1, 784),
        read("t10k-labels-idx1-ubyte"),
    )


@pytest.fixture(scope="session")
def _page_reports():
    return {}


@pytest.fixture
def page_report(page, site_dir, site_url, browser, npm_tools, _page_reports):
    """The report of one visit to ``page`` (visited once, however many tests ask)."""
    if page not in _page_reports:
        _page_reports[page] = sitecheck.visit(browser, site_url + page)
    return _page_reports[page]
