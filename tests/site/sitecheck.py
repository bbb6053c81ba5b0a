"""Checkers for a built website: a headless-Chromium visit, axe-core, vnu and linkchecker.

Each checker takes a folder or a URL and returns what it found, so the same code runs
on the real site (``test_site.py``) and on small deliberately broken pages
(``test_checkers.py``) that prove it reports what it should.

Selenium is imported inside the functions, so this module (and the doctests that
pytest collects from it) loads where only the plain test dependencies are installed.
"""

from __future__ import annotations

import csv
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"  # `npm ci` installs the pinned axe-core and vnu-jar here
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

# The project's standard headless flags; the resolver rule makes every host except this
# machine unreachable, so a page that reaches out fails here instead of leaking a request.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)

# Added to those for the WebGPU tests: SwiftShader's WebGPU adapter, which computes on the
# CPU, for a page served from 127.0.0.1 (a secure context, as WebGPU needs).
WEBGPU_FLAGS = (
    "--enable-unsafe-webgpu",
    "--use-webgpu-adapter=swiftshader",
    "--enable-features=Vulkan",
)

# Only these impacts fail the check (the bar: zero critical or serious).
AXE_FAILING_IMPACTS = frozenset({"critical", "serious"})

# Folders of a Sphinx build that hold assets, not pages.
NOT_PAGES = frozenset({"_static", "_sources", "_downloads", "_images", ".doctrees"})

# ---------------------------------------------------------------------------------------
# Allow-lists: findings that come from generated output this project cannot change.
# Every entry says where the finding comes from and why it cannot be fixed here.
# ---------------------------------------------------------------------------------------

#: axe-core rule id -> reason. Empty: every serious finding so far was fixed at its source.
AXE_ALLOWED: dict[str, str] = {}


@dataclass(frozen=True)
class Allowed:
    """A vnu error allowed on some pages: ``message`` and ``pages`` are regular expressions."""

    message: str
    pages: str
    reason: str

    def covers(self, page: str, message: str) -> bool:
        return bool(re.search(self.pages, page) and re.search(self.message, message))


VNU_ALLOWED = (
    Allowed(
        message=r"^Element “div” not allowed as child of element “pre”",
        pages=r"^_modules/",
        reason="sphinx.ext.viewcode writes each function of the highlighted source as a "
        "<div> (the target of the API pages' [source] links) inside one <pre>; browsers "
        "render it as meant, and the alternative is to drop the source pages",
    ),
    Allowed(
        message=r"^Attribute “tooltip” not allowed on element “div”",
        pages=r".",  # every gallery index, and each API page's mini-gallery
        reason="sphinx-gallery keeps each card's summary in a non-standard `tooltip` "
        "attribute that its own stylesheet shows on hover (content: attr(tooltip)); "
        "browsers and screen readers ignore the attribute, and renaming it would mean "
        "copying sphinx-gallery's styles",
    ),
)


def site_pages(site: Path) -> list[str]:
    """The site's HTML pages, as sorted POSIX paths relative to ``site``.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for name in ("index.html", "api/a.html", "_static/x.html", "notes.txt"):
    ...         (Path(folder) / name).parent.mkdir(parents=True, exist_ok=True)
    ...         _ = (Path(folder) / name).write_text("")
    ...     site_pages(Path(folder))
    ['api/a.html', 'index.html']
    """
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if not NOT_PAGES.intersection(path.relative_to(site).parts)
    )


# ---------------------------------------------------------------------------------------
# A local web server, so pages load over HTTP as they do when published
# ---------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def log_request(self, code="-", size="-"):
        self.server.requested.append(self.path)

    def end_headers(self):
        # linkchecker spaces its requests to a host 0.1-0.6 s apart unless the host
        # answers with this header (its documented opt-out): 80 s instead of a few here.
        self.send_header("LinkChecker", "unthrottled")
        super().end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requested: list[str] = []

    def handle_error(self, request, client_address):
        # linkchecker reads only the start of large downloads and hangs up: not a fault
        # of the site, and not worth a traceback in the test output.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    """Serve ``folder`` on 127.0.0.1 from a thread; use as a context manager.

    ``requested`` lists the path of every request answered so far, in order.

    Examples
    --------
    >>> import urllib.request
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "a.html").write_text("hello")
    ...     server = LocalServer(Path(folder))
    ...     with server as url, urllib.request.urlopen(url + "a.html") as r:
    ...         r.read()
    b'hello'
    >>> server.requested
    ['/a.html']
    """

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = _Server(("127.0.0.1", 0), handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def requested(self) -> list[str]:
        return self.server.requested

    def __enter__(self) -> str:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self.url

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------


def chromium_paths() -> tuple[str, str]:
    """Where Chromium and its driver are: ``$CHROMIUM`` / ``$CHROMEDRIVER`` or the PATH.

    Raises ``FileNotFoundError`` that says what to install when either is missing.
    """
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium")
    driver = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")
    if not (browser and driver):
        raise FileNotFoundError(
            "headless Chromium is needed for the site checks: install Debian's "
            "`chromium` and `chromium-driver` (or set $CHROMIUM and $CHROMEDRIVER)"
        )
    return browser, driver


def set_screen(browser, width: int, *, scale: float = 1, height: int = 900) -> None:
    """Show pages in ``browser`` on a screen ``width`` CSS px wide, with ``scale`` device
    pixels to each CSS pixel (2 for a phone's sharp screen); undo with :func:`reset_screen`."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
    )


def reset_screen(browser) -> None:
    """The browser's own screen again, after :func:`set_screen`."""
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def start_browser(user_data_dir: Path, extra_flags: tuple[str, ...] = ()):
    """A headless Chromium driven by Selenium, logging console messages and requests.

    The driver is the given chromedriver, so Selenium never tries to download one.
    ``extra_flags`` go after :data:`CHROMIUM_FLAGS` (:data:`WEBGPU_FLAGS`, say).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver = chromium_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    session = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    session.set_script_timeout(60)
    session.set_page_load_timeout(60)
    return session


# In the page: load every image now (sphinx-gallery marks some lazy, which would never load
# in a window that does not scroll), then return the ones that failed.
_BROKEN_IMAGES_JS = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images);
Promise.allSettled(images.map((img) => { img.loading = "eager"; return img.decode(); }))
  .then((results) => done(results.flatMap((result, i) =>
    result.status === "rejected" ? [images[i].getAttribute("src") || "(no src)"] : [])));
"""

_AXE_RUN_JS = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]})
  .then((results) => done(results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" "))}))))
  .catch((error) => done({error: String(error)}));
"""


@dataclass
class PageReport:
    """What one visit to a page found."""

    console_errors: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    axe_violations: list[dict] = field(default_factory=list)

    def serious_axe_violations(self) -> list[dict]:
        """The critical and serious violations that are not on the allow-list."""
        return [
            v
            for v in self.axe_violations
            if v["impact"] in AXE_FAILING_IMPACTS and v["id"] not in AXE_ALLOWED
        ]


def visit(session, url: str, *, color_scheme: str = "light") -> PageReport:
    """Load ``url`` in the browser and report errors, broken images, requests and axe.

    ``color_scheme`` ("light" or "dark") is what the page is told the reader prefers;
    furo follows it, so axe checks the colours those readers get. The browser is back
    to "light" afterwards.
    """
    session.get_log("browser")  # drop what earlier pages logged
    session.get_log("performance")
    _prefer_color_scheme(session, color_scheme)
    try:
        session.get(url)
        report = PageReport()
        report.broken_images = session.execute_async_script(_BROKEN_IMAGES_JS)
        session.execute_script(AXE_JS.read_text(encoding="utf-8"))
        violations = session.execute_async_script(_AXE_RUN_JS)
    finally:
        _prefer_color_scheme(session, "light")
    if isinstance(violations, dict):  # axe itself failed: that must not pass as clean
        raise RuntimeError(f"axe-core failed on {url}: {violations['error']}")
    report.axe_violations = violations
    own_host = urlsplit(url).netloc
    # Every console error counts, including the 404 of the /favicon.ico that Chromium
    # asks for when a page names no icon: the site names its own.
    report.console_errors = [
        entry["message"] for entry in session.get_log("browser") if entry["level"] == "SEVERE"
    ]
    requested = set()
    for entry in session.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.add(message["params"]["request"]["url"])
    report.external_requests = sorted(
        request_url
        for request_url in requested
        # Chromium's own chrome:// resources (its new-tab page) show up in the log too.
        if urlsplit(request_url).scheme in ("http", "https", "ws", "wss", "ftp")
        and urlsplit(request_url).netloc != own_host
    )
    return report


def _prefer_color_scheme(session, scheme: str):
    session.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )


# ---------------------------------------------------------------------------------------
# Static scan for resources from other hosts (covers what a visit might not trigger)
# ---------------------------------------------------------------------------------------

# <link rel=...> values that make the browser fetch the target.
_FETCHING_RELS = frozenset(
    {
        "stylesheet",
        "icon",
        "apple-touch-icon",
        "mask-icon",
        "manifest",
        "preload",
        "modulepreload",
        "prefetch",
        "preconnect",
        "dns-prefetch",
    }
)
_SRC_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "object": ("data",),
    "input": ("src",),
}
_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")


def is_external(url: str) -> bool:
    """Whether ``url`` points at another host (a relative URL or ``data:`` does not).

    Examples
    --------
    >>> [is_external(u) for u in ("_static/a.css", "//cdn.x/a.js", "https://x/a", "data:,")]
    [False, True, True, False]
    """
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob")


class _ResourceParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        names = _SRC_ATTRIBUTES.get(tag, ())
        if tag == "link" and _FETCHING_RELS.intersection(
            (attributes.get("rel") or "").lower().split()
        ):
            names = ("href",)
        for name in names:
            value = attributes.get(name) or ""
            # srcset is "url size, url size"
            self.urls.extend(part.split()[0] for part in value.split(",") if part.strip())
        self.urls.extend(css_urls(attributes.get("style") or ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(css_urls(data))


def css_urls(css: str) -> list[str]:
    """The URLs a stylesheet loads (``url(...)`` and ``@import``).

    Examples
    --------
    >>> css_urls("@import 'a.css'; b { background: url(\\"https://x/y.png\\") }")
    ['a.css', 'https://x/y.png']
    """
    return _CSS_URL.findall(css)


def external_resources_in_html(html: str) -> list[str]:
    """URLs of scripts, styles, fonts, images and frames in ``html`` that are on another host.

    Plain links (``<a href>``) are navigation, not loads, and are allowed.

    Examples
    --------
    >>> external_resources_in_html(
    ...     '<script src="https://cdn.example/x.js"></script><a href="https://ok.example">'
    ...     '<img src="_images/a.png" alt="a">')
    ['https://cdn.example/x.js']
    """
    parser = _ResourceParser()
    parser.feed(html)
    return [url for url in parser.urls if is_external(url)]


# ---------------------------------------------------------------------------------------
# vnu (the Nu HTML checker) and linkchecker
# ---------------------------------------------------------------------------------------


def vnu_errors(files: list[Path], *, root: Path) -> list[tuple[str, str]]:
    """Run vnu once over ``files``; returns ``(page, "line N: message")`` for each error.

    ``page`` is the file's path relative to ``root``, as POSIX.
    """
    java = shutil.which("java")
    if not java:
        raise FileNotFoundError(
            "vnu needs Java: install Debian's `default-jre-headless` (Java 11 or newer)"
        )
    if not VNU_JAR.is_file():
        raise FileNotFoundError(f"{VNU_JAR} is missing: run `npm ci` in {ROOT}")
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        messages = json.loads(result.stderr)["messages"]  # vnu writes its report to stderr
    except (json.JSONDecodeError, KeyError) as exc:
        raise RuntimeError(
            f"vnu gave no report (exit {result.returncode}): {result.stderr}"
        ) from exc
    errors = []
    for message in messages:
        if message["type"] == "info":
            continue
        path = Path(message.get("url", "").removeprefix("file:"))
        page = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        where = f"line {message['lastLine']}: " if "lastLine" in message else ""
        errors.append((page, where + message["message"]))
    return errors


def vnu_allowance(page: str, error: str) -> Allowed | None:
    """The allow-list entry that covers ``error`` on ``page``, if any."""
    message = error.split(": ", 1)[-1]
    return next((entry for entry in VNU_ALLOWED if entry.covers(page, message)), None)


def vnu_errors_in_browser(browser, folder: Path, name: str) -> list[tuple[str, str]]:
    """vnu's errors, less those allowed, in the page as ``browser`` holds it now (its
    scripts' work included), written to ``folder``/``name`` to be checked."""
    page = folder / name
    page.write_text(
        "<!DOCTYPE html>" + browser.execute_script("return document.documentElement.outerHTML"),
        encoding="utf-8",
    )
    return [
        (where, error)
        for where, error in vnu_errors([page], root=folder)
        if vnu_allowance(where, error) is None
    ]


def broken_links(start_urls: list[str]) -> list[str]:
    """Run linkchecker from ``start_urls`` (and every page they reach on the same host).

    Returns one line per broken link: the URL, the page it is on, and the reason.
    Anchors (``page.html#section``) are checked too. Links to other hosts are not
    fetched: the site must be checkable offline.
    """
    with tempfile.TemporaryDirectory() as config_dir:
        config = Path(config_dir) / "linkcheckerrc"
        config.write_text("[checking]\nmaxrequestspersecond=1000\n[AnchorCheck]\n")
        Path(config_dir).chmod(0o755)  # linkchecker drops root to `nobody`, who must read it
        config.chmod(0o644)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "linkcheck",
                "--config",
                str(config),
                "--no-status",
                "--output",
                "csv",
                "--threads",
                "4",
                *start_urls,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode not in (0, 1):  # 1: problems found; anything else: it broke
        raise RuntimeError(f"linkchecker failed (exit {result.returncode}): {result.stderr}")
    problems = []
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    for row in csv.DictReader(lines, delimiter=";"):
        if row["valid"] != "True" or row["warningstring"]:
            reason = row["warningstring"] or row["result"]
            problems.append(f"{row['urlname']} (on {row['parentname']}): {reason}")
    return problems


# ---------------------------------------------------------------------------------------
# Links to PyTorch's documentation, each built from a name in torch (docs/conf.py's :pt:)
# ---------------------------------------------------------------------------------------

PYTORCH_DOCS_HOST = "docs.pytorch.org"
PYTORCH_API_PAGE = re.compile(
    r"^https://docs\.pytorch\.org/docs/stable/generated/(?P<name>[\w.]+)\.html$"
)
_HREF = re.compile(r"""<a\s[^>]*?href=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def pytorch_links(html: str) -> list[str]:
    """Every link in ``html`` to a page on PyTorch's documentation site.

    Examples
    --------
    >>> pytorch_links('<a href="https://docs.pytorch.org/docs/stable/x.html">x</a>'
    ...               '<a class="r" href="https://pytorch.org/">home</a><a href="a.html">a</a>')
    ['https://docs.pytorch.org/docs/stable/x.html']
    """
    links = (a or b for a, b in _HREF.findall(html))
    return [link for link in links if urlsplit(link).netloc == PYTORCH_DOCS_HOST]


def torch_object(name: str):
    """The object the dotted ``name`` names in the installed torch, or None.

    Examples
    --------
    >>> torch_object("torch.nn.Linear").__name__
    'Linear'
    >>> torch_object("torch.Tensor.backward").__name__
    'backward'
    >>> [torch_object(n) for n in ("torch.nn.Linearr", "numpy.zeros", "torch.")]
    [None, None, None]
    """
    import importlib

    parts = name.split(".")
    if parts[0] != "torch" or not all(part.isidentifier() for part in parts):
        return None
    for split in range(len(parts), 0, -1):  # the longest importable module, then attributes
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute, None)
            if found is None:
                return None
        return found
    return None
