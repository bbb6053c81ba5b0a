""" "Your machine's graph" on the train page, in headless Chromium, with and without WebGPU.

The reader presses **Measure your machine**: the page times training steps on the CPU
(the lab's WebAssembly kernel) and, where the browser has one, the GPU (WebGPU; here
SwiftShader, which computes on the CPU, so its times say nothing about a real GPU), and
draws them beside the recorded curves of :mod:`mnisttutor.results`. These tests check
the finished graph (every size on each device, the tables, the sentence on where the
reader's lines cross, the recorded curves as the package reads them); Stop; the
one-sentence fallback without WebGPU (no ``navigator.gpu``, no adapter, a device lost
partway); the console; and the filled-in graph's accessibility (axe, vnu) in both themes
at 1280 and 400 px. The build side (``docs/_ext/machine_graph.py``) is tested at the end.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest
import sitecheck

from mnisttutor.results import RECORDED, recorded_rows

PAGE = "train.html#your-machine-s-graph"
HIDDEN = [200, 500, 1000, 2000, 3000, 5000]  # as graph.js measures them
BATCHES = [1, 3, 10, 30, 100, 300, 1000]
RUN_SECONDS = 300  # a whole run on SwiftShader on a busy 2-core machine takes about 40 s
# What Chromium itself logs when navigator.gpu.requestAdapter() finds no adapter: the page
# cannot keep it out of the console (https://github.com/gpuweb/gpuweb/pull/869 made
# "no adapter" a null result, and Chromium warns about it).
NO_ADAPTER_WARNING = "No available adapters."


def _machine_graph():
    from sitecheck import ROOT

    spec = importlib.util.spec_from_file_location(
        "machine_graph", ROOT / "docs" / "_ext" / "machine_graph.py"
    )
    module = importlib.util.module_from_spec(spec)
    extensions = str(ROOT / "docs" / "_ext")  # for dark_colours, which it imports
    if extensions not in sys.path:
        sys.path.insert(0, extensions)
    spec.loader.exec_module(module)
    return module


def open_graph(browser, site_url):
    browser.get("about:blank")  # the same address with its #fragment would not reload
    browser.get(site_url + PAGE)
    browser.get_log("browser")  # from here on, the page's own messages only
    assert browser.execute_script("return Boolean(window.mnistGraph)")


def wait_for(browser, condition_js: str, timeout: float = RUN_SECONDS):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.2).until(
        lambda b: b.execute_script(f"return {condition_js}")
    )


def press(browser, name: str) -> None:
    """Press a button from the keyboard, as a reader might."""
    browser.find_element("css selector", f".mnist-graph__{name}").send_keys(" ")


def measure_to_the_end(browser) -> dict:
    press(browser, "measure")
    wait_for(browser, "window.mnistGraph.state.running")
    wait_for(browser, "!window.mnistGraph.state.running")
    return browser.execute_script("return window.mnistGraph.state")


def text(browser, name: str) -> str:
    return browser.find_element("css selector", f".mnist-graph__{name}").text


def summaries(browser) -> dict[str, str]:
    return {
        chart: browser.find_element(
            "css selector", f'[data-chart="{chart}"] .mnist-graph__summary'
        ).text
        for chart in ("hidden", "batch")
    }


def table(browser, chart: str) -> list[list[str]]:
    rows = browser.find_elements("css selector", f'[data-chart="{chart}"] table tr')
    return [[cell.text for cell in row.find_elements("css selector", "th, td")] for row in rows]


def times(a: float, b: float) -> str:
    """As graph.js words a ratio: "12 times", "2.5 times", or "about as"."""
    ratio = max(a, b) / min(a, b)
    if ratio < 1.05:
        return "about as"
    return f"{round(ratio):,} times" if ratio >= 10 else f"{ratio:.1f} times"


def check_sentence(sentence: str, cpu: list, gpu: list, unit: str) -> None:
    """The sentence on the reader's two lines says what their numbers say."""
    gpu_at = dict(gpu)
    both = [(size, us, gpu_at[size]) for size, us in cpu if size in gpu_at]
    winners = ["CPU" if c <= g else "GPU" for _, c, g in both]
    first, last = both[0], both[-1]
    if len(set(winners)) == 1:
        assert sentence.startswith(f"Your two lines don't cross: your {winners[0]} is faster")
    else:
        i = next(i for i in range(1, len(winners)) if winners[i] != winners[i - 1])
        assert sentence.startswith(
            f"Your two lines cross between {both[i - 1][0]:,} and {both[i][0]:,} {unit}"
        ), sentence
    for size, c, g in (first, last):
        assert f"{times(c, g)} faster at {size:,} " in sentence or "about as fast" in sentence


def check_finished_graph(browser, state: dict, *, gpu: bool) -> None:
    assert state["error"] is None, state["error"]
    assert not state["stopped"]
    points = state["points"]
    measured = {"hidden": HIDDEN, "batch": BATCHES}
    for chart, sizes in measured.items():
        assert [size for size, _ in points[chart]["cpu"]] == sizes
        assert [size for size, _ in points[chart]["gpu"]] == (sizes if gpu else [])
        assert all(us > 0 for _, us in points[chart]["cpu"] + points[chart]["gpu"])
    assert state["done"] == state["total"] == (2 if gpu else 1) * (len(HIDDEN) + len(BATCHES))
    bar = browser.find_element("css selector", ".mnist-graph__bar")
    assert bar.get_attribute("value") == bar.get_attribute("max") == str(state["total"])
    assert re.fullmatch(r"Done: \d+ measurements in \d+ s\.", text(browser, "status"))
    legend = browser.find_element("css selector", ".mnist-graph__legend").text
    assert "Your CPU (WebAssembly, one thread)" in legend
    assert ("Your GPU (google swiftshader, WebGPU)" in legend) == gpu
    for chart, sizes in measured.items():
        rows = table(browser, chart)
        header, body = rows[0], rows[1:]
        assert header[1] == "Your CPU (WebAssembly, one thread)"  # the reader's first
        assert header[2].startswith("Your GPU") == gpu
        yours = [
            row[1:3] if gpu else row[1:2] for row in body if int(row[0].replace(",", "")) in sizes
        ]
        assert len(yours) == len(sizes)
        assert all(re.fullmatch(r"[\d,.]+ (µs|ms|s)", cell) for row in yours for cell in row)
    sentences = summaries(browser)
    for chart, unit in (("hidden", "hidden nodes"), ("batch", "images a step")):
        if gpu:
            check_sentence(sentences[chart], points[chart]["cpu"], points[chart]["gpu"], unit)
        else:
            assert sentences[chart].startswith("Only your CPU was measured, so there are no two")


# ---- With WebGPU (SwiftShader) ------------------------------------------------------------


@pytest.fixture(scope="module")
def gpu_graph(webgpu_browser, site_url):
    """The graph after a whole run on SwiftShader: the browser, the page's state."""
    open_graph(webgpu_browser, site_url)
    assert text(webgpu_browser, "support") == ""  # no sentence: there is WebGPU
    state = measure_to_the_end(webgpu_browser)
    return webgpu_browser, state


def test_the_graph_measures_cpu_and_gpu_at_every_size(gpu_graph):
    browser, state = gpu_graph
    check_finished_graph(browser, state, gpu=True)
    assert state["gpu"] == "google swiftshader"
    # SwiftShader is software on the CPU: the page says its line is no real GPU's.
    assert browser.find_element("css selector", ".mnist-graph__support").is_displayed()
    assert text(browser, "support") == (
        "This browser's WebGPU is software that runs on your CPU, not a GPU, so your GPU "
        "line shows that software: it says nothing about a real GPU."
    )
    assert browser.get_log("browser") == []


def test_the_recorded_curves_are_the_packages(gpu_graph):
    """Drawn and tabled from the page's data, which the build read through mnisttutor.results."""
    browser, _ = gpu_graph
    data = json.loads(
        browser.execute_script(
            "return document.querySelector('.mnist-graph__recorded').textContent"
        )
    )
    machine_graph = _machine_graph()
    expected = []
    for name in machine_graph.SCALING_FILES:
        rows = recorded_rows(RECORDED, name)
        expected.append((rows[0]["recorded"], [[r["hidden"], r["us_per_step"]] for r in rows]))
    found = [(curve["label"], curve["points"]) for curve in data["curves"]["hidden"]]
    assert sorted(found) == sorted((label, sorted(points)) for label, points in expected)
    sweep = recorded_rows(RECORDED, machine_graph.BATCH_FILE, benchmark="minibatch")
    for curve in data["curves"]["batch"]:
        for size, us in curve["points"]:
            (row,) = [
                r for r in sweep if r["recorded"] == curve["label"] and r["batch_size"] == size
            ]
            assert us == pytest.approx(
                row["seconds"] * 1e6 / (row["epochs"] * row["images"]), rel=1e-4
            )
    # In the tables, as the page formats them, beside the reader's.
    rows = table(browser, "hidden")
    assert {f"{label} (recorded)" for label, _ in expected} <= set(rows[0])
    assert len(rows) == 1 + len(HIDDEN)


# Each chart's size on the screen, and the colour of its corner beside the page's.
DRAWN_JS = """
const probe = document.createElement("span");
probe.style.color = "var(--color-background-primary)";
document.body.append(probe);
const page = getComputedStyle(probe).color;
probe.remove();
// A corner pixel, read from a copy: reading the chart's own pixels again and again would
// make Chromium warn in the console that the canvas should be made for reading.
const corner = (c) => {
  const copy = document.createElement("canvas");
  copy.width = copy.height = 1;
  copy.getContext("2d").drawImage(c, 2, 2, 1, 1, 0, 0, 1, 1);
  return copy.getContext("2d").getImageData(0, 0, 1, 1).data;
};
return Array.from(document.querySelectorAll(".mnist-graph__chart"), (c) => {
  const [r, g, b] = corner(c);
  return {width: c.width, css: c.clientWidth, ratio: devicePixelRatio,
          corner: `rgb(${r}, ${g}, ${b})`, page};
});
"""


def redrawn_for(chart: dict, width: int) -> bool:
    """Drawn at the screen's resolution, so its 12 px text is 12 CSS px at any width, and on
    the theme's own background (furo's), not a white box in the dark theme."""
    return (
        chart["width"] == round(chart["css"] * chart["ratio"])
        and chart["css"] <= width
        and chart["corner"] == chart["page"]
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 400])
def test_the_finished_graph_is_accessible(gpu_graph, npm_tools, theme, width, tmp_path):
    """axe and vnu on the page as the run left it, drawn in the theme at the width."""

    browser, _ = gpu_graph
    # The resolution first, at a third width, then the width. Chromium's emulation gives a
    # loaded page no event for a new scale (no resize, no resolution media query), and set
    # together with a new width, the page may see the width before the scale. A real zoom
    # changes both at once; a window moved to a sharper screen fires the media query,
    # which the page listens for.
    scale = 2 if width < 1000 else 1
    sitecheck.set_screen(browser, 600, scale=scale)  # narrower than the charts at 1280 px
    browser.execute_script("return new Promise(requestAnimationFrame)")
    sitecheck.set_screen(browser, width, scale=scale)
    browser.execute_script("document.body.dataset.theme = arguments[0]", theme)
    try:
        # The page redraws for the new width and theme within a few frames of seeing them.
        def redrawn(_) -> list | None:
            drawn = browser.execute_script(DRAWN_JS)
            return drawn if all(redrawn_for(chart, width) for chart in drawn) else None

        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            WebDriverWait(browser, 10, poll_frequency=0.2).until(redrawn)
        except TimeoutException:
            pytest.fail(f"not redrawn for {width} px, {theme}: {browser.execute_script(DRAWN_JS)}")
        browser.execute_script(sitecheck.AXE_JS.read_text(encoding="utf-8"))
        violations = browser.execute_async_script(sitecheck._AXE_RUN_JS)
        serious = [v for v in violations if v["impact"] in sitecheck.AXE_FAILING_IMPACTS]
        assert serious == [], serious
        assert sitecheck.vnu_errors_in_browser(browser, tmp_path, "train.html") == []
        assert browser.get_log("browser") == []
    finally:
        sitecheck.reset_screen(browser)
        browser.execute_script("document.body.dataset.theme = 'auto'")


def test_a_gpu_lost_partway_leaves_the_cpu_to_finish(webgpu_browser, site_url):
    browser = webgpu_browser
    open_graph(browser, site_url)
    press(browser, "measure")
    wait_for(browser, "window.mnistGraph.state.points.hidden.gpu.length >= 1")
    browser.execute_script("window.mnistGraph.loseGpu()")
    wait_for(browser, "!window.mnistGraph.state.running")
    state = browser.execute_script("return window.mnistGraph.state")
    assert state["error"] is None
    support = text(browser, "support")
    assert support.startswith("Your GPU stopped partway (the browser reports: ")
    assert support.endswith("so the rest of the graph measures your CPU alone.")
    assert support.count(". ") == 0  # one sentence
    points = state["points"]
    assert [size for size, _ in points["hidden"]["cpu"]] == HIDDEN
    assert [size for size, _ in points["batch"]["cpu"]] == BATCHES
    assert 1 <= len(points["hidden"]["gpu"]) < len(HIDDEN)
    assert points["batch"]["gpu"] == []
    assert state["done"] == state["total"]
    assert browser.get_log("browser") == []


def test_stop_keeps_what_was_measured(browser, site_url):
    open_graph(browser, site_url)
    press(browser, "measure")
    wait_for(browser, "window.mnistGraph.state.points.hidden.cpu.length >= 2")
    press(browser, "stop")
    state = browser.execute_script("return window.mnistGraph.state")
    assert state["stopped"]
    assert not state["running"]
    kept = browser.execute_script("return JSON.stringify(window.mnistGraph.state.points)")
    assert text(browser, "status").startswith(f"Stopped after {state['done']} of ")
    assert browser.find_element("css selector", ".mnist-graph__measure").is_enabled()
    assert not browser.find_element("css selector", ".mnist-graph__stop").is_enabled()
    browser.execute_script("return new Promise((done) => setTimeout(done, 1000))")
    # The worker is gone: nothing more arrives.
    assert browser.execute_script("return JSON.stringify(window.mnistGraph.state.points)") == kept
    rows = table(browser, "hidden")
    assert rows[1][1] != ""  # the sizes measured are in the table


# ---- Without WebGPU ------------------------------------------------------------------------


def test_without_an_adapter_the_page_says_so_and_measures_the_cpu(browser, site_url):
    """The site's usual browser: WebGPU is there, with no adapter (Chromium's --disable-gpu)."""
    open_graph(browser, site_url)
    assert text(browser, "support") == ""  # not known until the reader measures
    state = measure_to_the_end(browser)
    check_finished_graph(browser, state, gpu=False)
    assert text(browser, "support") == (
        "This browser has WebGPU but offers no GPU to it (it may be switched off, or blocked "
        "for this GPU), so the graph measures your CPU alone."
    )
    logged = browser.get_log("browser")
    assert [entry["level"] for entry in logged] == ["WARNING"] * len(logged)
    assert all(entry["message"].endswith(NO_ADAPTER_WARNING) for entry in logged), logged


def test_without_webgpu_the_page_says_so_before_measuring(browser, site_url):
    """A browser with no navigator.gpu at all (WebGPU switched off or not yet supported)."""
    script = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument",
        {"source": "delete Navigator.prototype.gpu;"},
    )
    try:
        open_graph(browser, site_url)
        assert not browser.execute_script("return 'gpu' in navigator")
        sentence = "This browser has no WebGPU, so the graph measures your CPU alone."
        assert text(browser, "support") == sentence
        # The run is the one above, less the adapter: a few sizes show it goes the same way.
        press(browser, "measure")
        wait_for(browser, "window.mnistGraph.state.points.hidden.cpu.length >= 2")
        press(browser, "stop")
        state = browser.execute_script("return window.mnistGraph.state")
        assert state["gpu"] is None
        assert state["points"]["hidden"]["gpu"] == []
        assert text(browser, "support") == sentence
        legend = browser.find_element("css selector", ".mnist-graph__legend").text
        assert "Your CPU (WebAssembly, one thread)" in legend
        assert "Your GPU" not in legend
        assert browser.get_log("browser") == []
    finally:
        browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )


# ---- The build side: docs/_ext/machine_graph.py ---------------------------------------------


def test_the_recorded_crossing_is_the_packages():
    from mnisttutor.results import crossing

    machine_graph = _machine_graph()
    curves = machine_graph.recorded_curves()["hidden"]
    cpu, gpu = (next(c["points"] for c in curves if c["device"] == d) for d in ("cpu", "gpu"))
    between = crossing([tuple(p) for p in cpu], [tuple(p) for p in gpu])
    sentence = machine_graph.recorded_summary(curves, "hidden nodes")
    if between:
        crossed = (
            f"The recorded lines cross between {between[0]:,} and {between[1]:,} hidden nodes."
        )
    else:
        crossed = "The recorded lines do not cross at the sizes recorded."
    sizes = sorted({size for size, _ in cpu} | {size for size, _ in gpu})
    assert sizes == [200, 500, 1000, 2000, 3000, 5000]
    assert (
        sentence
        == f"{crossed} They were recorded at 200, 500, 1,000, 2,000, 3,000 and 5,000 hidden nodes."
    )


def test_a_missing_recorded_file_stops_the_build_with_what_to_do(monkeypatch, tmp_path):
    from sphinx.errors import ExtensionError

    import mnisttutor.results

    machine_graph = _machine_graph()
    monkeypatch.setattr(mnisttutor.results, "RECORDED", tmp_path)  # an empty folder
    with pytest.raises(ExtensionError, match=r"no rows in .*scaling-.*\.json.*restore it"):
        machine_graph.recorded_curves()


def test_the_graph_scripts_name_no_other_host(site_dir):
    """Its worker's requests are not in the page's log: its files use relative URLs only."""
    folder = site_dir / "_static" / "webgpu"
    files = [*folder.glob("*.js"), *folder.glob("shaders/*.wgsl")]
    assert len(files) >= 10
    for path in files:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", path.read_text()), path


def test_only_the_train_page_loads_the_graph(site_dir):

    loading = set()
    for page in sitecheck.site_pages(site_dir):
        html = (site_dir / page).read_text(encoding="utf-8")
        if re.search(r'<(?:script|link)[^>]*(?:src|href)="[^"]*_static/webgpu/', html):
            loading.add(page)
    assert loading == {"train.html"}
