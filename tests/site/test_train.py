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
from urllib.parse import urlsplit

import numpy as np
import pytest
import torch

from mnisttutor import Classifier, evaluate, read_idx, train_per_sample, train_per_sample_fast
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


@pytest.fixture(scope="module")
def mnist(site_dir):
    """The published MNIST files, as the page reads them: uint8 images and labels."""
    folder = site_dir / MNIST
    read = lambda name: read_idx(folder / f"{name}.gz")  # noqa: E731
    return (
        read("train-images-idx3-ubyte").reshape(-1, 784),
        read("train-labels-idx1-ubyte"),
        read("t10k-images-idx3-ubyte").reshape(-1, 784),
        read("t10k-labels-idx1-ubyte"),
    )


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
    import sitecheck

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
    from selenium.webdriver.support.ui import Select

    open_page(browser, site_url)
    Select(browser.find_element("css selector", ".mnist-train__epochs")).select_by_visible_text("1")
    browser.find_element("css selector", ".mnist-train__train").click()
    wait_for(browser, "window.mnistTrain.state.steps >= 5000")
    browser.find_element("css selector", ".mnist-train__stop").click()
    wait_for(browser, "!window.mnistTrain.state.running")
    stopped = browser.execute_script("return window.mnistTrain.state.steps")
    assert 5000 <= stopped < 60000
    status = browser.find_element("css selector", ".mnist-train__status").text
    assert f"Stopped after {stopped:,} training steps" in status
    assert browser.find_element("css selector", ".mnist-train__train").is_enabled()
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
    import sitecheck

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
    runs = browser.execute_script(
        "return window.mnistTrain.runs.runs.map((r) => [r.name, r.reference, r.losses, r.scores])"
    )
    assert len(runs) == 1
    name, is_reference, losses, scores = runs[0]
    assert (name, is_reference) == ("Section 6 (PyTorch)", True)
    np.testing.assert_array_equal(np.float32(losses), np.float32(reference["losses"]))
    assert scores[-1] == f"{printed[1]}%"
    assert f"3: {printed[1]}%" in run_rows(browser)[0]
    assert chart_colour(browser, "#7f7f7f") > 1000, "the reference is not drawn"


def test_two_runs_with_different_settings_stay_on_the_chart_and_in_the_table(browser, site_url):
    from selenium.webdriver.support.ui import Select

    open_page(browser, site_url)
    train = (
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 2000}).then(done);"
    )
    browser.execute_script(
        "window.mnistTrain.train({limit: 60000}); return null;"
    )  # a first run, stopped partway: the text says it is being trained meanwhile
    wait_for(browser, "window.mnistTrain.state.steps > 0")
    weights = browser.find_element("css selector", ".mnist-train__weights").text
    assert "being trained" in weights, weights
    assert "not trained yet" not in weights
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
    for key in ("lr", "hidden=", "epochs=", "start=", "kernel="):
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
    import sitecheck

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
