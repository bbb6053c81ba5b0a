"""The "Train it yourself" page in headless Chromium, against PyTorch.

The page trains the tutorial's network in a Web Worker, with the WebAssembly kernel
(``_static/train/kernel.wasm``) or, with ``?kernel=js``, the plain JavaScript one. These
tests check its maths (weights after 1,000 steps, both kernels; the accuracy after 3
epochs, computed here from the same initial weights with the package's fast path; slow
motion's step against the training's and PyTorch's), and the page: Train, Stop and
Train again, runs side by side with section 6's reference run, settings in the address
(and hostile ones ignored), the live chart, the accuracy text, the downloaded network
scored in Python, the drawing pad reading with the trained network, and nothing
fetched from another host or before Train. Build the site first (``nox -s docs``);
``nox -s site`` runs these.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import sitecheck
import torch

from mnisttutor import Classifier, evaluate, train_per_sample, train_per_sample_fast
from mnisttutor.browser import read_network

log = logging.getLogger(__name__)

PAGE = "train.html"
INITIAL = "_static/train/initial-network.js"
MNIST = "_static/train/mnist"
SECTION_6 = "examples/06_classifier/plot_02_training_and_testing.py"
STEPS = 1000
TOLERANCE = 1e-5  # the bar, relative to the largest weight
ACCURACY_POINTS = 0.2  # the page's 3-epoch accuracy against PyTorch's, in points

# The page's weights as base64 float32, for the trip out of the browser.
WEIGHTS_JS = """
const done = arguments[arguments.length - 1];
const encode = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(text);
};
window.mnistTrain.weights().then(({weights}) =>
  done(["w1", "b1", "w2", "b2"].map((name) => encode(weights[name]))));
"""


@pytest.fixture(scope="module")
def initial(site_dir):
    path = site_dir / INITIAL
    if not path.is_file():
        pytest.fail(f"{path} is missing: the docs build did not export the initial network")
    return path


def dataset(images, labels):
    from types import SimpleNamespace

    labels = torch.from_numpy(labels.astype(np.int64))
    return SimpleNamespace(
        images=torch.from_numpy(images.astype(np.float32)) / 255.0,
        targets=torch.nn.functional.one_hot(labels, 10).float(),
        labels=labels,
    )


def classifier_from(initial) -> Classifier:
    """The tutorial's Classifier holding the exported initial weights."""
    classifier = Classifier()
    classifier.model.load_state_dict(read_network(initial).state_dict())
    return classifier


def open_page(browser, url: str, kernel: str | None = None) -> str:
    """Load the page and wait for its worker; returns the kernel it runs."""
    browser.get(url + PAGE + (f"?kernel={kernel}" if kernel else ""))
    ready = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "if (!window.mnistTrain) done(null);"
        "else window.mnistTrain.started.then((m) => done(m.kernel));"
    )
    assert ready, browser.find_element("css selector", ".mnist-train__status").text
    return ready


def page_weights(browser) -> list[np.ndarray]:
    return [
        np.frombuffer(base64.b64decode(text), "<f4")
        for text in browser.execute_async_script(WEIGHTS_JS)
    ]


def wait_for(browser, condition_js: str, timeout: float = 120):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(
        lambda b: b.execute_script(f"return {condition_js}")
    )


def train_one_epoch_and_stop(browser, after: int) -> int:
    """Press Train for one epoch, then Stop once `after` steps are done; the steps taken.
    Slowed to 1,000 images a second, so Stop comes mid-epoch (at full speed an epoch
    takes about a second)."""
    select(browser, "epochs", "1")
    select(browser, "speed", "1000")
    browser.find_element("css selector", ".mnist-train__train").click()
    wait_for(browser, f"window.mnistTrain.state.steps >= {after}")
    browser.find_element("css selector", ".mnist-train__stop").click()
    wait_for(browser, "!window.mnistTrain.state.running")
    steps = browser.execute_script("return window.mnistTrain.state.steps")
    assert after <= steps < 60000
    return steps


def test_initial_weights_are_section_6s(initial):
    """Section 6's page seeds torch, then makes Classifier(): the export is that network."""
    from sitecheck import ROOT

    info = json.loads(initial.read_text().split("=", 1)[1].rstrip(";\n"))["info"]
    source = (ROOT / SECTION_6).read_text()
    assert re.search(rf"torch\.manual_seed\({info['seed']}\)\s*\nC = Classifier\(\)", source)
    torch.manual_seed(info["seed"])
    expected = Classifier().model.state_dict()
    exported = read_network(initial).state_dict()
    for name, value in expected.items():
        assert torch.equal(exported[name], value), name


@pytest.mark.parametrize("kernel", ["wasm", "js"])
def test_weights_after_1000_steps_match_pytorch(browser, site_url, initial, mnist, kernel):
    assert open_page(browser, site_url, kernel) == kernel
    done = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"window.mnistTrain.train({{limit: {STEPS}}}).then(done);"
    )
    assert done["steps"] == STEPS
    images, labels, _, _ = mnist
    classifier = classifier_from(initial)
    train_per_sample(classifier, dataset(images[:STEPS], labels[:STEPS]), 1, progress=False)
    expected = [p.detach().numpy().ravel() for p in classifier.parameters()]
    largest = max(np.abs(w).max() for w in expected)
    worst = max(np.abs(a - b).max() for a, b in zip(page_weights(browser), expected, strict=True))
    log.info("%s kernel: largest difference %.2e of the largest weight", kernel, worst / largest)
    assert worst <= TOLERANCE * largest
    # The chart's points are the losses the module path recorded, every 10 steps.
    losses = browser.execute_script("return window.mnistTrain.state.losses")
    np.testing.assert_allclose(losses, classifier.progress, rtol=1e-3, atol=1e-5)


def requested_urls(browser) -> list[str]:
    """The http(s) URLs the page (and its worker) asked for since the log was last read,
    from the browser's cache or not."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if urlsplit(url).scheme in ("http", "https"):
                urls.append(url)
    return urls


def chart_ink(browser) -> int:
    """How many of the chart's pixels are not the background."""
    return browser.execute_script(
        "const c = document.querySelector('.mnist-train__chart');"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i + 2] > d[i] + 40) n++;"
        "return n;"
    )


@pytest.fixture
def fresh_browser(browser, tmp_path):
    """A browser of its own, with an empty cache: every file it loads reaches the server.
    (The worker's requests are not in the page's performance log, so they are counted
    at the server.)"""

    session = sitecheck.start_browser(tmp_path / "profile")
    yield session
    session.quit()


def test_three_epochs_in_the_browser_score_section_6s_accuracy(
    fresh_browser, site_url, site_server, initial, mnist
):
    """Train pressed from the keyboard; the live chart; the accuracy after each epoch."""
    browser = fresh_browser
    already = len(site_server.requested)
    open_page(browser, site_url)
    browser.get_log("browser")
    requested_urls(browser)  # the page's own load
    assert not any("/mnist/" in path for path in site_server.requested[already:]), (
        "the page fetched MNIST before Train was pressed"
    )
    assert chart_ink(browser) == 0
    button = browser.find_element("css selector", ".mnist-train__train")
    button.send_keys(" ")  # the keyboard's way to press it
    wait_for(browser, "window.mnistTrain.state.steps > 20000")
    assert chart_ink(browser) > 0, "the chart does not grow while training"
    assert browser.find_element("css selector", ".mnist-train__stop").is_enabled()
    wait_for(browser, "!window.mnistTrain.state.running", timeout=300)
    state = browser.execute_script("return window.mnistTrain.state")
    assert state["error"] is None, state["error"]
    assert state["steps"] == 3 * 60000
    scores = browser.find_element("css selector", ".mnist-train__scores").text
    found = re.findall(r"Epoch (\d): test accuracy (\d\d\.\d\d)%", scores)
    assert [epoch for epoch, _ in found] == ["1", "2", "3"], scores
    page_accuracy = float(found[-1][1])

    images, labels, test_images, test_labels = mnist
    classifier = train_per_sample_fast(
        classifier_from(initial), dataset(images, labels), 3, progress=False
    )
    pytorch_accuracy = 100 * evaluate(classifier, dataset(test_images, test_labels))
    log.info("3 epochs: page %.2f%%, PyTorch %.2f%%", page_accuracy, pytorch_accuracy)
    assert abs(page_accuracy - pytorch_accuracy) <= ACCURACY_POINTS

    summary = browser.find_element("css selector", ".mnist-train__summary").text
    assert re.search(r"Run 1 \([^)]*\): 18,000 losses", summary), summary
    # Offline: nothing from another host, and nothing went wrong.
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors
    own = urlsplit(site_url).netloc
    assert [url for url in requested_urls(browser) if urlsplit(url).netloc != own] == []
    fetched = site_server.requested[already:]
    assert any(path.endswith("/mnist/train-images-idx3-ubyte.gz") for path in fetched)

    # The drawing pad now reads with the trained network: its outputs are those of the
    # page's weights, run here in PyTorch, for a test digit shown on the pad.
    sample = browser.find_element("css selector", "#mnist-train-pad .mnist-draw__sample")
    sample.send_keys(" ")
    pad = browser.execute_script("return window.mnistTrain.pad.state")
    w1, b1, w2, b2 = (torch.from_numpy(w.astype(np.float64)) for w in page_weights(browser))
    x = torch.tensor(pad["input"], dtype=torch.float64)
    hidden = torch.sigmoid(w1.reshape(-1, 784) @ x + b1)
    expected = torch.sigmoid(w2.reshape(10, -1) @ hidden + b2)
    np.testing.assert_allclose(pad["outputs"], expected.numpy(), rtol=1e-9, atol=1e-12)
    result = browser.find_element("css selector", "#mnist-train-pad .mnist-draw__result").text
    assert f"reads this as a {int(expected.argmax())}" in result


def test_stop_then_train_again_goes_on(browser, site_url):
    open_page(browser, site_url)
    stopped = train_one_epoch_and_stop(browser, after=2000)
    status = browser.find_element("css selector", ".mnist-train__status").text
    assert f"Stopped after {stopped:,} training steps" in status
    assert browser.find_element("css selector", ".mnist-train__train").is_enabled()
    select(browser, "speed", "full")
    browser.find_element("css selector", ".mnist-train__train").click()
    wait_for(browser, "!window.mnistTrain.state.running", timeout=300)
    assert browser.execute_script("return window.mnistTrain.state.steps") == 60000
    assert (
        "Epoch 1: test accuracy"
        in browser.find_element("css selector", ".mnist-train__scores").text
    )


def test_new_random_weights_and_hidden_size(browser, site_url):
    open_page(browser, site_url)
    before = page_weights(browser)
    from selenium.webdriver.support.ui import Select

    hidden = browser.find_element("css selector", ".mnist-train__hidden")
    Select(hidden).select_by_visible_text("40")
    wait_for(browser, "window.mnistTrain.state.hidden === 40 && window.mnistTrain.state.kernel")
    wait_for(browser, "document.querySelector('.mnist-train__status').textContent.includes('40')")
    w1, b1, w2, b2 = page_weights(browser)
    assert (w1.size, b1.size, w2.size, b2.size) == (40 * 784, 40, 400, 10)
    bound = 1 / np.sqrt(784)  # nn.Linear's initialisation: uniform in +-1/sqrt(inputs)
    assert np.abs(w1).max() <= bound
    assert w1.std() == pytest.approx(bound / np.sqrt(3), rel=0.05)
    assert before[0].size == 200 * 784
    weights = browser.find_element("css selector", ".mnist-train__weights").text
    assert "fresh random weights, 40 hidden nodes" in weights


def test_a_hidden_size_the_kernel_cannot_hold_is_a_clear_error(browser, site_url):
    open_page(browser, site_url)
    answer = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.reset({fresh: true, hidden: 30}).then(done);"
    )
    assert answer["type"] == "error"
    assert "choose a positive multiple of 4" in answer["message"]
    status = browser.find_element("css selector", ".mnist-train__status").text
    assert "Something went wrong: hidden nodes: 30" in status
    assert browser.find_element("css selector", ".mnist-train__train").is_enabled()


# What each page's own scripts and styles are, and the only pages that may load them.
OWN_FILES = {
    "_static/train/": {"train.html"},
    "_static/draw/pad.js": {"draw.html", "train.html"},
    "_static/draw/draw.css": {"draw.html", "train.html"},
    "_static/km/": {"auto_examples/01_learning_from_examples/plot_01_km_to_miles.html"},
}


def test_train_scripts_name_no_other_host(site_dir):
    """The worker's requests are not in the page's log: its scripts use relative URLs only."""
    for script in (site_dir / "_static" / "train").glob("*.js"):
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", script.read_text()), script


def test_pages_that_do_not_train_load_nothing_extra(site_dir):

    pages = sitecheck.site_pages(site_dir)
    for prefix, allowed in OWN_FILES.items():
        loading = set()
        for page in pages:
            html = (site_dir / page).read_text(encoding="utf-8")
            # src= and href= of <script> and <link>, relative to the page
            for target in re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html):
                if target.replace("../", "").startswith(prefix):
                    loading.add(page)
        assert loading == allowed, (prefix, sorted(loading))


# ---- The lab: runs side by side, the reference, the address, slow motion, the download ----

REFERENCE = "docs/auto_examples/06_classifier/plot_02_training_and_testing.reference.json"
SECTION_6_PAGE = "auto_examples/06_classifier/plot_02_training_and_testing.html"


def run_rows(browser) -> list[str]:
    return [
        row.text for row in browser.find_elements("css selector", ".mnist-train__runs tbody tr")
    ]


def chart_colour(browser, rgb: str) -> int:
    """How many of the chart's pixels are (near) the colour #rrggbb: a run's dots and line."""
    return browser.execute_script(
        "const [r, g, b] = arguments[0].match(/\\w\\w/g).map((h) => parseInt(h, 16));"
        "const c = document.querySelector('.mnist-train__chart');"
        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        "let n = 0; for (let i = 0; i < d.length; i += 4)"
        "  if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30) n++;"
        "return n;",
        rgb.lstrip("#"),
    )


def test_the_reference_run_is_section_6s_as_its_page_recorded_it(browser, site_url, site_dir):
    """From the start: section 6's losses as its build recorded them, and the accuracy that
    page printed."""
    from sitecheck import ROOT

    open_page(browser, site_url)
    reference = json.loads((ROOT / REFERENCE).read_text())
    printed = re.search(
        r"test accuracy: (\d+\.\d\d)%", (site_dir / SECTION_6_PAGE).read_text(encoding="utf-8")
    )
    assert printed, "section 6's page printed no test accuracy"
    one_epoch = re.search(
        r"after one epoch: (\d+\.\d\d)%", (site_dir / SECTION_6_PAGE).read_text(encoding="utf-8")
    )
    assert one_epoch, "section 6's page printed no accuracy after one epoch"
    runs = browser.execute_script(
        "return window.mnistTrain.runs.runs.map((r) => [r.name, r.reference, r.losses, r.scored])"
    )
    assert len(runs) == 1
    name, is_reference, losses, scored = runs[0]
    assert (name, is_reference) == ("Section 6 (PyTorch)", True)
    np.testing.assert_array_equal(np.float32(losses), np.float32(reference["losses"]))
    # Scored where its page scored it: after its first epoch (the tutorial's loop) and
    # after its third, the accuracies that page printed.
    assert [(s["steps"], s["epoch"]) for s in scored] == [(60000, 1), (180000, 3)]
    assert [f"{100 * s['right'] / s['count']:.2f}" for s in scored] == [one_epoch[1], printed[1]]
    assert f"1: {one_epoch[1]}%, 3: {printed[1]}%" in run_rows(browser)[0]
    assert chart_colour(browser, "#7f7f7f") > 1000, "the reference is not drawn"


def test_two_runs_with_different_settings_stay_on_the_chart_and_in_the_table(browser, site_url):
    from selenium.webdriver.support.ui import Select

    open_page(browser, site_url)
    train = (
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 2000}).then(done);"
    )
    select(browser, "speed", "1000")  # slowed down, so it is still training when looked at
    browser.execute_script(
        "window.mnistTrain.train({limit: 60000}); return null;"
    )  # a first run, stopped partway: the text says it is being trained meanwhile
    wait_for(browser, "window.mnistTrain.state.steps > 0")
    weights = browser.find_element("css selector", ".mnist-train__weights").text
    assert "being trained" in weights, weights
    assert "not trained yet" not in weights
    select(browser, "speed", "full")  # on at full speed, far enough to draw its mean line
    wait_for(browser, "window.mnistTrain.state.steps >= 20000")
    browser.execute_script("window.mnistTrain.stop()")
    wait_for(browser, "!window.mnistTrain.state.running")
    Select(browser.find_element("css selector", ".mnist-train__lr")).select_by_visible_text("0.1")
    Select(browser.find_element("css selector", ".mnist-train__hidden")).select_by_visible_text(
        "40"
    )
    wait_for(browser, "window.mnistTrain.state.hidden === 40")
    assert browser.execute_async_script(train)["steps"] == 2000
    runs = browser.execute_script(
        "return window.mnistTrain.runs.runs.map((r) => [r.name, r.settings, r.losses.length])"
    )
    assert [name for name, _, _ in runs] == ["Section 6 (PyTorch)", "Run 1", "Run 2"]
    (_, first, first_points), (_, second, second_points) = runs[1:]
    assert (first["lr"], first["hidden"], first["start"]) == (0.01, 200, "tutorial")
    assert (second["lr"], second["hidden"], second["start"]) == (0.1, 40, "random")
    assert first_points > 0
    assert second_points == 200
    rows = run_rows(browser)
    assert len(rows) == 3
    assert "Run 2 0.1 40 3 random" in rows[2], rows
    assert chart_colour(browser, "#1f77b4") > 0
    assert chart_colour(browser, "#ff7f0e") > 0
    summary = browser.find_element("css selector", ".mnist-train__summary").text
    assert "Run 1 (learning rate 0.01, 200 hidden nodes" in summary
    assert "Run 2 (learning rate 0.1, 40 hidden nodes" in summary

    # Hide run 1 from the keyboard; then clear them all: the reference stays.
    checkbox = browser.find_elements("css selector", ".mnist-train__runs tbody input")[1]
    checkbox.send_keys(" ")
    wait_for(browser, "!window.mnistTrain.runs.runs[1].shown")
    browser.execute_script("return new Promise(requestAnimationFrame)")
    assert chart_colour(browser, "#1f77b4") == 0
    assert "Run 1 (" not in browser.find_element("css selector", ".mnist-train__summary").text
    browser.find_element("css selector", ".mnist-train__clear").send_keys(" ")
    browser.execute_script("return new Promise(requestAnimationFrame)")
    assert len(run_rows(browser)) == 1
    assert chart_colour(browser, "#ff7f0e") == 0


def test_train_after_the_last_epoch_starts_a_new_run(browser, site_url):
    from selenium.webdriver.support.ui import Select

    open_page(browser, site_url, "wasm")
    Select(browser.find_element("css selector", ".mnist-train__epochs")).select_by_visible_text("1")
    train = (
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train(arguments[0]).then(done);"
    )
    assert browser.execute_async_script(train, {})["finished"]
    select(browser, "speed", "1000")  # so the new run is still going when looked at
    browser.find_element("css selector", ".mnist-train__train").click()
    wait_for(browser, "window.mnistTrain.runs.runs.length === 3")
    status = browser.find_element("css selector", ".mnist-train__status").text
    assert "A new run" in status or "Training on 60,000 images" in status, status
    browser.execute_script("window.mnistTrain.stop()")
    wait_for(browser, "!window.mnistTrain.state.running")


SETTINGS = {"lr": "0.1", "hidden": "40", "epochs": "1", "start": "random"}


def test_settings_in_the_address_are_restored(browser, site_url):
    query = "&".join(f"{key}={value}" for key, value in SETTINGS.items())
    browser.get(site_url + PAGE + "?" + query)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.mnistTrain.started.then(done);"
    )
    for key, value in SETTINGS.items():
        assert (
            browser.find_element("css selector", f".mnist-train__{key}").get_attribute("value")
            == value
        )
    state = browser.execute_script("return window.mnistTrain.state")
    assert (state["hidden"], state["fresh"]) == (40, True)
    assert not browser.find_element("css selector", ".mnist-train__note").is_displayed()
    # And a change of setting goes into the address, for the reader to share.
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("css selector", ".mnist-train__lr")).select_by_visible_text("0.3")
    assert "lr=0.3" in browser.execute_script("return location.search")


HOSTILE = {
    "lr": '<img src=x onerror="window.pwned=1">',
    "hidden": "9999",
    "epochs": "-1",
    "start": "javascript:window.pwned=1",
    "<script>window.pwned=1</script>": "1",
    "kernel": "wasm;drop",
    "device": "tpu",
}


def test_hostile_settings_in_the_address_are_ignored_with_a_note(browser, site_url):
    from urllib.parse import urlencode

    browser.get(site_url + PAGE + "?" + urlencode(HOSTILE))
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.mnistTrain.started.then(done);"
    )
    defaults = {"lr": "0.01", "hidden": "200", "epochs": "3", "start": "tutorial"}
    for key, value in defaults.items():
        assert (
            browser.find_element("css selector", f".mnist-train__{key}").get_attribute("value")
            == value
        )
    note = browser.find_element("css selector", ".mnist-train__note")
    assert note.is_displayed()
    for key in ("lr", "hidden=", "epochs=", "start=", "kernel=", "device="):
        assert key in note.text, note.text
    assert "unknown setting" in note.text
    # Shown as text, never run or inserted as markup.
    assert browser.execute_script("return window.pwned") is None
    assert browser.execute_script("return arguments[0].children.length", note) == 0
    assert not browser.find_elements("css selector", "#mnist-train img, #mnist-train script")
    search = browser.execute_script("return location.search")  # not kept, not shared
    assert search == "?epochs=3&lr=0.01&hidden=200&start=tutorial"
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors


SLOW_STEPS = 3


@pytest.mark.parametrize("kernel", ["wasm", "js"])
def test_slow_motion_is_the_training_step(browser, site_url, initial, mnist, kernel):
    """Its outputs after a step are the training's after the same steps, exactly, and
    PyTorch's (sgd_step, through train_per_sample) within 1e-5."""
    open_page(browser, site_url, kernel)
    step = (
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.slowStep().then((m) => done({index: m.index, label: m.label,"
        " before: Array.from(m.before), after: Array.from(m.after), loss: m.loss}));"
    )
    shown = [browser.execute_async_script(step) for _ in range(SLOW_STEPS)]
    assert [s["index"] for s in shown] == list(range(SLOW_STEPS))
    story = browser.find_element("css selector", ".mnist-slow__story").text
    assert f"The target is {shown[-1]['label']}." in story
    rows = browser.find_elements("css selector", ".mnist-slow__outputs tbody tr")
    assert len(rows) == 10
    slow_weights = page_weights(browser)

    # The same steps taken by Train, on a fresh network from the same weights.
    open_page(browser, site_url, kernel)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"window.mnistTrain.train({{limit: {SLOW_STEPS}}}).then(done);"
    )
    trained = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        f"window.mnistTrain.outputs({SLOW_STEPS - 1}).then((m) => done(Array.from(m.outputs)));"
    )
    assert shown[-1]["after"] == trained
    for a, b in zip(slow_weights, page_weights(browser), strict=True):
        np.testing.assert_array_equal(a, b)

    images, labels, _, _ = mnist
    classifier = classifier_from(initial)
    data = dataset(images[:SLOW_STEPS], labels[:SLOW_STEPS])
    for i in range(SLOW_STEPS):
        with torch.no_grad():
            before = classifier(data.images[i]).numpy()
        np.testing.assert_allclose(shown[i]["before"], before, atol=1e-5)
        classifier.train(data.images[i], data.targets[i])  # the tutorial's step: sgd_step
        with torch.no_grad():
            after = classifier(data.images[i]).numpy()
        np.testing.assert_allclose(shown[i]["after"], after, atol=1e-5)
        loss = torch.nn.functional.binary_cross_entropy(torch.tensor(before), data.targets[i])
        assert shown[i]["loss"] == pytest.approx(loss.item(), abs=1e-5)


def test_the_downloaded_network_scores_the_pages_accuracy_in_python(
    browser, site_url, site_dir, mnist, tmp_path, capsys
):
    from selenium.webdriver.support.ui import Select

    from mnisttutor import load_classifier
    from mnisttutor.cli import main

    open_page(browser, site_url)
    assert not browser.find_element("css selector", ".mnist-train__download").is_enabled()
    Select(browser.find_element("css selector", ".mnist-train__epochs")).select_by_visible_text("1")
    browser.find_element("css selector", ".mnist-train__train").click()
    wait_for(browser, "!window.mnistTrain.state.running && window.mnistTrain.state.steps", 300)
    scores = browser.find_element("css selector", ".mnist-train__scores").text
    printed = re.fullmatch(r"Epoch 1: test accuracy (\d+\.\d\d)%", scores)
    assert printed, scores
    # Press Download (from the keyboard); the browser saves the file into tmp_path.
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    button = browser.find_element("css selector", ".mnist-train__download")
    assert button.is_enabled()
    button.send_keys(" ")
    path = tmp_path / "mnist-network.safetensors"
    deadline = time.monotonic() + 30
    while not path.is_file() and time.monotonic() < deadline:  # no .crdownload left
        time.sleep(0.1)
    assert path.is_file(), sorted(p.name for p in tmp_path.iterdir())

    _, _, test_images, test_labels = mnist
    accuracy = evaluate(load_classifier(path), dataset(test_images, test_labels))
    right = round(accuracy * len(test_labels))
    log.info("page %s%%, Python %d of %d", printed[1], right, len(test_labels))
    assert f"{100 * right / len(test_labels):.2f}" == printed[1]
    # The command line says the same.
    mnist_dir = str(site_dir / MNIST)
    assert main(["evaluate", str(path), "--data-dir", mnist_dir, "--csv-dir", str(tmp_path)]) == 0
    assert f"({printed[1]}%," in capsys.readouterr().out
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors


def test_the_empty_progress_bar_is_not_white_in_the_dark_theme(browser, site_url):
    open_page(browser, site_url)
    browser.execute_script("localStorage.theme = 'dark'")
    try:
        open_page(browser, site_url)
        colour = browser.execute_script(
            "const bar = document.querySelector('.mnist-train__bar');"
            "return [getComputedStyle(bar).appearance, getComputedStyle(bar).backgroundColor,"
            " getComputedStyle(document.body).backgroundColor]"
        )
        appearance, bar, page = colour
        assert appearance == "none"
        assert bar != "rgb(255, 255, 255)"
        assert bar.startswith("rgb(")
        darkness = sum(int(v) for v in re.findall(r"\d+", bar)[:3])
        assert darkness < 3 * 128, (bar, page)  # dark, like the page behind it
    finally:
        browser.execute_script("localStorage.removeItem('theme')")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_filled_in_lab_is_accessible(browser, site_url, npm_tools, theme):
    """axe on the page as a reader leaves it: a run in the table, slow motion shown."""

    open_page(browser, site_url)
    browser.execute_script(f"localStorage.theme = '{theme}'")
    try:
        open_page(browser, site_url)
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mnistTrain.slowStep().then(() => window.mnistTrain.train({limit: 1000}))"
            ".then(done);"
        )
        assert browser.find_element("css selector", ".mnist-slow").is_displayed()
        browser.execute_script(sitecheck.AXE_JS.read_text(encoding="utf-8"))
        violations = browser.execute_async_script(sitecheck._AXE_RUN_JS)
        serious = [v for v in violations if v["impact"] in sitecheck.AXE_FAILING_IMPACTS]
        assert serious == [], serious
        errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors
    finally:
        browser.execute_script("localStorage.removeItem('theme')")


# ---- The lab's rough edges: races, the download's score, focus, slow motion, small screens ----


def select(browser, name: str, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    menu = Select(browser.find_element("css selector", f".mnist-train__{name}"))
    values = [option.get_property("value") for option in menu.options]  # text where no value=
    menu.select_by_index(values.index(value))


def focused(browser) -> str:
    """The class of the element with the keyboard's focus."""
    return browser.execute_script("return document.activeElement.className")


def console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def stop_and_wait(browser) -> None:
    browser.execute_script("window.mnistTrain.stop()")
    wait_for(browser, "!window.mnistTrain.state.running")


def test_train_pressed_while_the_network_is_reset_trains_the_new_network(browser, site_url):
    """Hidden nodes changed, then Train within the same moment: the run is the new
    network's, Train stays disabled while it runs, and nothing throws."""
    open_page(browser, site_url)
    browser.get_log("browser")
    select(browser, "epochs", "1")
    select(browser, "speed", "1000")
    pressed = browser.execute_script(
        "const hidden = document.querySelector('.mnist-train__hidden');"
        "hidden.value = '40'; hidden.dispatchEvent(new Event('change'));"
        "document.querySelector('.mnist-train__train').click();"
        "return {hidden: window.mnistTrain.state.hidden,"
        " train: document.querySelector('.mnist-train__train').disabled,"
        " stop: document.querySelector('.mnist-train__stop').disabled};"
    )
    assert pressed == {"hidden": 200, "train": True, "stop": False}  # the reset not yet done
    wait_for(browser, "window.mnistTrain.state.steps >= 1000")
    assert not browser.find_element("css selector", ".mnist-train__train").is_enabled()
    stop_and_wait(browser)
    runs = browser.execute_script(
        "return window.mnistTrain.runs.runs"
        ".map((r) => [r.name, r.settings.hidden, r.losses.length])"
    )
    assert runs[1][:2] == ["Run 1", 40], runs
    assert runs[1][2] >= 100, runs
    assert browser.execute_script("return window.mnistTrain.state.hidden") == 40
    assert "Run 1 0.01 40 1 random" in run_rows(browser)[1]
    assert console_errors(browser) == []


def test_download_waits_while_a_new_network_is_made(browser, site_url):
    """The network being replaced is not offered for download, even for a moment."""
    open_page(browser, site_url)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 500}).then(done);"
    )
    assert browser.find_element("css selector", ".mnist-train__download").is_enabled()
    disabled = browser.execute_script(
        "const hidden = document.querySelector('.mnist-train__hidden');"
        "hidden.value = '40'; hidden.dispatchEvent(new Event('change'));"
        "return document.querySelector('.mnist-train__download').disabled;"
    )
    assert disabled
    wait_for(browser, "window.mnistTrain.state.hidden === 40")
    assert not browser.find_element("css selector", ".mnist-train__download").is_enabled()


def test_train_pressed_before_the_first_network_is_ready_on_a_slow_connection(
    fresh_browser, site_url
):
    browser = fresh_browser
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    browser.get(site_url + PAGE + "?epochs=1&speed=1000")
    pressed = browser.execute_script(
        "const ready = window.mnistTrain.state.kernel;"
        "document.querySelector('.mnist-train__train').click();"
        "return ready;"
    )
    assert pressed is None, "the first network was ready before Train: nothing was tested"
    wait_for(browser, "window.mnistTrain.state.steps >= 500")
    assert browser.execute_script("return window.mnistTrain.state.running") == "train"
    stop_and_wait(browser)
    assert [row.split()[:2] for row in run_rows(browser)[1:]] == [["Run", "1"]]
    assert console_errors(browser) == []


def downloaded(browser, tmp_path, button_class: str = "download") -> Path:
    """Press Download from the keyboard; the file the browser saved."""
    for old in tmp_path.glob("mnist-network*.safetensors"):
        old.unlink()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.find_element("css selector", f".mnist-train__{button_class}").send_keys(" ")
    path = tmp_path / "mnist-network.safetensors"
    deadline = time.monotonic() + 30
    while not path.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.is_file(), sorted(p.name for p in tmp_path.iterdir())
    return path


def file_metadata(path) -> dict:
    size = int.from_bytes(path.read_bytes()[:8], "little")
    return json.loads(path.read_bytes()[8 : 8 + size])["__metadata__"]


def test_download_after_stop_partway_holds_the_score_of_the_network_saved(
    browser, site_url, mnist, tmp_path
):
    """Stopped mid-epoch, the network is scored as it stands; a slow-motion step after
    that changes it, so Download scores it again before saving it."""
    from mnisttutor import load_classifier

    _, _, test_images, test_labels = mnist
    test = dataset(test_images, test_labels)

    def python_accuracy(path) -> str:
        return f"{100 * evaluate(load_classifier(path), test):.2f}%"

    open_page(browser, site_url)
    steps = train_one_epoch_and_stop(browser, after=3000)
    path = downloaded(browser, tmp_path)
    metadata = file_metadata(path)
    assert metadata["steps"] == metadata["scored_after_steps"] == str(steps)
    assert metadata["test_accuracy"] == python_accuracy(path)
    weights = browser.find_element("css selector", ".mnist-train__weights").text
    assert f"{steps:,} training steps (test accuracy {metadata['test_accuracy']})" in weights

    # One more step: the file is scored again, as saved.
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.mnistTrain.slowStep().then(done);"
    )
    path = downloaded(browser, tmp_path)
    metadata = file_metadata(path)
    assert metadata["steps"] == metadata["scored_after_steps"] == str(steps + 1)
    assert metadata["test_accuracy"] == python_accuracy(path)
    status = browser.find_element("css selector", ".mnist-train__status").text
    assert f"gets {metadata['test_accuracy']} of the test images right (scored as saved)" in status
    assert console_errors(browser) == []


def test_keyboard_focus_stays_on_the_controls(browser, site_url):
    """Train hands the focus to Stop, Stop back to Train; a run's checkbox keeps it while
    the table changes around it."""
    from selenium.webdriver.common.keys import Keys

    open_page(browser, site_url)
    select(browser, "epochs", "1")
    select(browser, "speed", "1000")
    browser.find_element("css selector", ".mnist-train__train").send_keys(Keys.ENTER)
    assert focused(browser) == "mnist-train__stop"
    wait_for(browser, "window.mnistTrain.state.steps >= 1000")
    checkbox = browser.find_elements("css selector", ".mnist-train__runs tbody input")[0]
    checkbox.send_keys(" ")
    steps = browser.execute_script("return window.mnistTrain.state.steps")
    wait_for(browser, f"window.mnistTrain.state.steps >= {steps + 500}")  # the table changed
    assert browser.execute_script("return document.activeElement") == checkbox
    assert not checkbox.is_selected()
    checkbox.send_keys(" ")
    assert checkbox.is_selected()
    browser.find_element("css selector", ".mnist-train__stop").send_keys(Keys.ENTER)
    wait_for(browser, "!window.mnistTrain.state.running")
    assert focused(browser) == "mnist-train__train"


def test_slow_motion_opens_in_view_with_the_focus_and_says_what_it_did(browser, site_url):
    from selenium.webdriver.common.keys import Keys

    browser.set_window_size(1280, 900)
    open_page(browser, site_url)
    select(browser, "epochs", "1")
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.mnistTrain.train().then(done);"
    )  # a whole epoch: slow motion then starts a new run
    browser.execute_script("window.scrollTo(0, 0)")
    browser.find_element("css selector", ".mnist-train__slow").send_keys(Keys.ENTER)
    wait_for(browser, "window.mnistTrain.state.slow && !window.mnistTrain.state.running")
    panel = browser.find_element("css selector", ".mnist-slow")
    assert panel.is_displayed()
    top, height = browser.execute_script(
        "return [arguments[0].getBoundingClientRect().top, innerHeight];",
        panel,
    )
    assert 0 <= top < height, "the panel opened out of view"
    assert focused(browser) == "mnist-slow__next"
    progress = browser.find_element("css selector", ".mnist-train__progress").text
    assert "Slow motion" in progress
    assert "step 1: training image 1 of 60,000" in progress
    assert "60,000 of 60,000" not in progress
    weights = browser.find_element("css selector", ".mnist-train__weights").text
    assert "then 1 training step." in weights
    moves = browser.find_element("css selector", ".mnist-slow__moves").get_attribute("aria-label")
    assert re.search(r"each of the 200 hidden units: \d+ units' weights", moves), moves
    # Another step, from the panel: the focus stays there; Hide gives it back.
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for(browser, "window.mnistTrain.state.steps === 2 && !window.mnistTrain.state.running")
    assert focused(browser) == "mnist-slow__next"
    assert (
        "then 2 training steps"
        in browser.find_element("css selector", ".mnist-train__weights").text
    )
    browser.find_element("css selector", ".mnist-slow__hide").send_keys(Keys.ENTER)
    assert not panel.is_displayed()
    assert focused(browser) == "mnist-train__slow"


@pytest.mark.parametrize("width", [320, 400])
def test_the_filled_in_lab_does_not_scroll_sideways(browser, site_url, width):
    """With slow motion open, the charts, the table and the confusion matrix filled in."""
    sitecheck.set_screen(browser, width, height=800)
    try:
        open_page(browser, site_url)
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mnistTrain.slowStep().then(() => window.mnistTrain.train({limit: 2000}))"
            ".then(done);"
        )
        browser.execute_script("return new Promise(requestAnimationFrame)")
        page, viewport = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page <= viewport, f"the page is {page} px wide at {width} px"
        # The legend is the page's text, its own size, on as many lines as it needs.
        squeezed = browser.execute_script(
            "return Array.from(document.querySelectorAll('.mnist-train__legend li'))"
            ".filter((li) => li.scrollWidth > li.clientWidth + 1).length"
        )
        assert squeezed == 0
        size = browser.execute_script(
            "return parseFloat(getComputedStyle("
            "document.querySelector('.mnist-train__legend li')).fontSize)"
        )
        assert size >= 12
    finally:
        sitecheck.reset_screen(browser)


# What the charts wrote, canvas by canvas: fillText recorded as the page draws.
RECORD_TEXT_JS = """
const done = arguments[arguments.length - 1];
const written = {chart: [], accuracy: []};
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  const name = this.canvas.className.replace("mnist-train__", "");
  if (written[name]) written[name].push(String(text));
  return fillText.call(this, text, ...rest);
};
window.mnistTrain.runs.update();
requestAnimationFrame(() => {
  CanvasRenderingContext2D.prototype.fillText = fillText;
  done(written);
});
"""


def test_the_charts_name_their_axes_and_mark_the_epochs(browser, site_url):
    open_page(browser, site_url)
    written = browser.execute_async_script(RECORD_TEXT_JS)
    for canvas, name in (("chart", "loss"), ("accuracy", "test accuracy")):
        texts = written[canvas]
        assert name in texts, (canvas, texts)
        assert "training steps (images)" in texts
        for label in ("epoch 1", "epoch 2", "epoch 3", "60,000", "120,000", "180,000"):
            assert label in texts, (canvas, label, texts)
    assert {"0.00", "0.50", "1.00"} <= set(written["chart"])
    assert "100%" in written["accuracy"]


# ---- What the network learned: its units' weights, its confusion matrix, its mistakes ----

CONFUSION_JS = """
return Array.from(document.querySelectorAll('.mnist-learned__confusion tbody tr'))
  .map((row) => Array.from(row.cells).slice(1).map((cell) => Number(cell.textContent)));
"""


@pytest.mark.parametrize("kernel", ["wasm", "js"])
def test_one_epoch_confusion_matrix_and_mistakes_match_pytorch(browser, site_url, mnist, kernel):
    """The lab's confusion matrix, its count of misclassified test images and the first
    ones it draws, after one epoch, are PyTorch's for the same weights."""
    assert open_page(browser, site_url, kernel) == kernel
    select(browser, "epochs", "1")
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.mnistTrain.train().then(done);"
    )
    shown = np.array(browser.execute_script(CONFUSION_JS))
    pick = browser.find_element("css selector", ".mnist-learned__pick").text
    wrong_shown = int(re.search(r"every mistake \(([\d,]+)\)", pick)[1].replace(",", ""))
    drawn = [
        (int(re.search(r"\d[\d,]*", item.find_element("css selector", "canvas")
                       .get_attribute("aria-label"))[0].replace(",", "")) - 1, item.text)
        for item in browser.find_elements("css selector", ".mnist-learned__mistakes li")
    ]  # fmt: skip

    _, _, test_images, test_labels = mnist
    w1, b1, w2, b2 = (torch.from_numpy(w.copy()) for w in page_weights(browser))
    network = Classifier()
    network.model.load_state_dict(
        {"0.weight": w1.reshape(-1, 784), "0.bias": b1, "2.weight": w2.reshape(10, -1),
         "2.bias": b2}
    )  # fmt: skip
    with torch.no_grad():
        outputs = network(torch.from_numpy(test_images.astype(np.float32)) / 255.0).numpy()
    answers = outputs.argmax(axis=1)
    top_two = np.sort(outputs, axis=1)[:, -2:]
    # Where PyTorch's two largest outputs tie to float32 rounding, either answer is fair.
    close = int((top_two[:, 1] - top_two[:, 0] < 1e-6).sum())
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (test_labels, answers), 1)
    log.info("%s, one epoch: %d wrong; %d near-ties", kernel, (answers != test_labels).sum(), close)
    assert np.abs(shown - expected).sum() <= 2 * close, (shown, expected)
    assert abs(wrong_shown - int((answers != test_labels).sum())) <= close
    assert shown.sum() == len(test_labels)
    assert wrong_shown == shown.sum() - np.trace(shown)
    wrong = np.flatnonzero(answers != test_labels)
    assert len(drawn) == 24
    assert [index for index, _ in drawn] == list(wrong[: len(drawn)])
    for index, text in drawn:
        assert text == f"a {test_labels[index]}, read as {answers[index]}"
    # The matrix's caption, the scores and the sentence against the reference agree.
    right = int(np.trace(shown))
    caption = browser.find_element("css selector", ".mnist-learned__confusion-caption").text
    assert "after epoch 1 (60,000 training steps)" in caption
    assert f"({right:,} of 10,000)" in caption
    accuracy = f"{right / 100:.2f}%"
    assert (
        f"Epoch 1: test accuracy {accuracy}"
        in browser.find_element("css selector", ".mnist-train__scores").text
    )
    sentence = browser.find_element("css selector", ".mnist-train__compare").text
    assert sentence.startswith(
        f"Run 1 (the reference's settings) reached {accuracy} against the reference's"
    ), sentence
    assert "in the same 60,000 images" in sentence
    # Pick one kind of mistake: only those are drawn.
    from selenium.webdriver.support.ui import Select

    pick = Select(browser.find_element("css selector", ".mnist-learned__pick"))
    label, answer = map(int, re.match(r"(\d) read as (\d)", pick.options[1].text).groups())
    pick.select_by_index(1)
    texts = [li.text for li in browser.find_elements("css selector", ".mnist-learned__mistakes li")]
    assert texts
    assert set(texts) == {f"a {label}, read as {answer}"}
    assert console_errors(browser) == []


UNIT_PIXELS_JS = """
const canvas = document.querySelector('.mnist-learned__units');
return Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data);
"""


def test_the_units_pictures_are_the_kernels_weights(browser, site_url):
    """The first unit's picture, pixel by pixel, is its weights in the kernel, on the
    scale of the largest weight pictured."""
    open_page(browser, site_url)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 5000}).then(done);"
    )
    rgba = browser.execute_script(UNIT_PIXELS_JS)
    w1 = page_weights(browser)[0].reshape(-1, 784)[:40]
    t = np.clip(w1[0] / np.abs(w1).max(), -1, 1)
    end = np.where(t[:, None] >= 0, [33, 102, 172], [178, 24, 43])
    expected = np.round(255 + np.abs(t)[:, None] * (end - 255))
    got = np.array(rgba).reshape(784, 4)[:, :3]
    assert np.abs(got - expected).max() <= 1
    caption = browser.find_element("css selector", ".mnist-learned__units-caption").text
    assert "Hidden units 1 to 40 of your 200, after 5,000 training steps" in caption
    largest = f"{np.abs(w1).max():.3f}"
    assert f"the largest weight, {largest}," in caption


def test_the_speed_control_slows_the_training_and_keeps_its_numbers(browser, site_url):
    """Slowed to 100 images a second, then full speed: the weights after 300 steps are
    exactly those of a run at full speed."""
    open_page(browser, site_url)
    select(browser, "speed", "100")
    assert "speed=100" in browser.execute_script("return location.search")
    browser.execute_script("window.mnistTrain.train({limit: 300}); return null;")
    wait_for(browser, "window.mnistTrain.state.steps > 0")
    time.sleep(1)
    steps = browser.execute_script("return window.mnistTrain.state.steps")
    assert 0 < steps < 300
    assert (
        "slowed to 100 images/s" in browser.find_element("css selector", ".mnist-train__rate").text
    )
    select(browser, "speed", "full")
    wait_for(browser, "!window.mnistTrain.state.running")
    slowed = page_weights(browser)
    open_page(browser, site_url)
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 300}).then(done);"
    )
    for a, b in zip(slowed, page_weights(browser), strict=True):
        np.testing.assert_array_equal(a, b)
