"""The "Train it yourself" page in headless Chromium, against PyTorch.

The page trains the tutorial's network in a Web Worker, with the WebAssembly kernel
(``_static/train/kernel.wasm``) or, with ``?kernel=js``, the plain JavaScript one. These
tests check its maths (weights after 1,000 steps, both kernels; the accuracy after 3
epochs, computed here from the same initial weights with the package's fast path), and
the page: Train, Stop and Train again, the live chart, the accuracy text, the drawing
pad reading with the trained network, and nothing fetched from another host or before
Train. Build the site first (``nox -s docs``); ``nox -s site`` runs these.
"""

from __future__ import annotations

import base64
import json
import logging
import re
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
    assert "18,000 losses" in summary, summary
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
