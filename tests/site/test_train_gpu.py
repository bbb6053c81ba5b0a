"""The lab on the reader's GPU ("Device: GPU"), in headless Chromium, against PyTorch.

With :data:`sitecheck.WEBGPU_FLAGS` Chromium has SwiftShader, a WebGPU adapter that
computes on the CPU: real float32 arithmetic, but slow (hundreds of one-image steps a
second at 20 hidden nodes, on a busy 2-core machine). So the GPU's epoch is one of the
lab's own choices chosen for its cost: 20 hidden nodes, fresh random weights, one epoch,
trained once (the ``gpu_epoch`` fixture) and then looked at by several tests: its test
accuracy and confusion matrix against PyTorch's for the same weights, against PyTorch's
own epoch from the same starting weights, the runs table, the download scored in Python,
and axe in both themes. Slow motion and the speed control on the GPU take a few steps
against PyTorch's. Without WebGPU (no ``navigator.gpu``: the GPU is offered disabled, with
why), without an adapter (the run falls back to the CPU, and says so), and with the GPU
lost partway, the page says so in one sentence and goes on on the CPU.
"""

from __future__ import annotations

import logging
import re
import time

import numpy as np
import pytest
import torch
from test_train import (
    ACCURACY_POINTS,
    CONFUSION_JS,
    TOLERANCE,
    console_errors,
    dataset,
    downloaded,
    file_metadata,
    page_weights,
    select,
    wait_for,
)

from mnisttutor import Classifier, evaluate, train_per_sample, train_per_sample_fast

log = logging.getLogger(__name__)

HIDDEN = 20  # the lab's smallest network: SwiftShader takes its epoch in minutes
GPU_RUN = f"?device=gpu&hidden={HIDDEN}&start=random&epochs=1"
ADAPTER = "google swiftshader"  # as the browser names SwiftShader's adapter
EPOCH_SECONDS = 1200  # the most one epoch may take here; about 200 s on a busy machine
NO_ADAPTER = (
    "This browser has WebGPU but offers no GPU to it (it may be switched off, or blocked "
    "for this GPU), so your runs train on your CPU."
)
NO_WEBGPU = "This browser has no WebGPU, so your runs train on your CPU."
# What Chromium itself logs when navigator.gpu.requestAdapter() finds no adapter (see
# test_webgpu_graph.py): the page asks only once the reader picks the GPU.
NO_ADAPTER_WARNING = "No available adapters."


def open_lab(browser, site_url, query: str = "") -> dict:
    """Load the lab with `query` and wait for its first network; the worker's answer."""
    browser.get("about:blank")
    browser.get(site_url + "train.html" + query)
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];window.mnistTrain.started.then(done);"
    )


def text(browser, name: str) -> str:
    return browser.find_element("css selector", f".mnist-train__{name}").text


def device_choice(browser) -> dict:
    return browser.execute_script(
        "const s = document.querySelector('.mnist-train__device');"
        "return {value: s.value, gpuDisabled: s.querySelector('[value=gpu]').disabled,"
        " search: location.search, kernel: window.mnistTrain.state.kernel};"
    )


def run_rows(browser) -> list[list[str]]:
    """The runs table's cells, row by row, as text (no-break spaces as spaces)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('.mnist-train__runs tbody tr'),"
        " (row) => Array.from(row.cells, (cell) => cell.textContent.replace(/\\u00a0/g, ' ')));"
    )


def network(weights: list[np.ndarray]) -> Classifier:
    """A Classifier holding the page's weights, as the page reports them."""
    w1, b1, w2, b2 = (torch.from_numpy(w.copy()) for w in weights)
    classifier = Classifier(len(b1))
    classifier.model.load_state_dict(
        {"0.weight": w1.reshape(-1, 784), "0.bias": b1, "2.weight": w2.reshape(10, -1),
         "2.bias": b2}
    )  # fmt: skip
    return classifier


# ---- One epoch on the GPU -------------------------------------------------------------


@pytest.fixture(scope="module")
def gpu_epoch(webgpu_browser, site_url):
    """The lab after Train is pressed for one epoch on the GPU: the browser and the
    network's starting weights."""
    browser = webgpu_browser
    ready = open_lab(browser, site_url, GPU_RUN)
    assert (ready["kernel"], ready["gpu"]) == ("webgpu", ADAPTER), ready
    starting = page_weights(browser)
    browser.get_log("browser")
    began = time.monotonic()
    browser.find_element("css selector", ".mnist-train__train").send_keys(" ")
    wait_for(browser, "window.mnistTrain.state.running")
    wait_for(browser, "!window.mnistTrain.state.running", timeout=EPOCH_SECONDS)
    log.info("one epoch on %s, %d hidden nodes: %.0f s", ADAPTER, HIDDEN, time.monotonic() - began)
    return browser, starting


def test_a_gpu_epoch_scores_as_pytorch_does(gpu_epoch, mnist):
    """The test accuracy and the confusion matrix are PyTorch's for the page's weights
    (but at float32 near-ties, counted); and PyTorch's own epoch from the same starting
    weights ends with the same weights, within TOLERANCE, and scores within
    ACCURACY_POINTS."""
    browser, starting = gpu_epoch
    state = browser.execute_script("return window.mnistTrain.state")
    assert (state["steps"], state["kernel"], state["gpu"]) == (60000, "webgpu", ADAPTER)
    scores = text(browser, "scores")
    printed = re.fullmatch(r"Epoch 1: test accuracy (\d+\.\d\d)%", scores)
    assert printed, scores
    shown = np.array(browser.execute_script(CONFUSION_JS))
    weights = page_weights(browser)

    images, labels, test_images, test_labels = mnist
    with torch.no_grad():
        outputs = network(weights)(torch.from_numpy(test_images.astype(np.float32)) / 255.0)
    answers = outputs.argmax(dim=1).numpy()
    top_two = outputs.topk(2, dim=1).values.numpy()
    # Where PyTorch's two largest outputs tie to float32 rounding, either answer is fair.
    near_ties = int((top_two[:, 0] - top_two[:, 1] < 1e-6).sum())
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (test_labels, answers), 1)
    differ = int(np.abs(shown - expected).sum()) // 2  # each answer moved counts twice
    log.info(
        "GPU epoch: %s; answers unlike PyTorch's %d, near-ties %d", printed[1], differ, near_ties
    )
    assert differ <= near_ties
    assert shown.sum() == len(test_labels)
    assert printed[1] == f"{np.trace(shown) / 100:.2f}"
    assert abs(np.trace(shown) - np.trace(expected)) <= near_ties

    # PyTorch's own epoch, from the same starting weights.
    classifier = train_per_sample_fast(
        network(starting), dataset(images, labels), 1, progress=False
    )
    pytorch = 100 * evaluate(classifier, dataset(test_images, test_labels))
    expected_weights = [p.detach().numpy().ravel() for p in classifier.parameters()]
    largest = max(np.abs(w).max() for w in expected_weights)
    worst = max(np.abs(a - b).max() for a, b in zip(weights, expected_weights, strict=True))
    log.info(
        "GPU epoch %s%%, PyTorch's %.2f%%; weights differ by %.2e of the largest",
        printed[1],
        pytorch,
        worst / largest,
    )
    assert abs(float(printed[1]) - pytorch) <= ACCURACY_POINTS
    assert worst <= TOLERANCE * largest  # 7.6e-7 measured: the same steps, weight for weight
    assert console_errors(browser) == []


def test_the_runs_table_says_the_run_was_on_the_gpu(gpu_epoch):
    browser, _ = gpu_epoch
    header = [
        th.text for th in browser.find_elements("css selector", ".mnist-train__runs thead th")
    ]
    # At the lab's width on a laptop, every column shows without scrolling the table.
    browser.set_window_size(1280, 900)
    width, shown = browser.execute_script(
        "const region = document.querySelector('.mnist-train__runs').parentElement;"
        "return [region.scrollWidth, region.clientWidth];"
    )
    assert width <= shown, f"the runs table is {width} px wide in {shown} px"

    assert header[-2:] == ["Device", "Images/s"]
    reference, run = run_rows(browser)
    assert reference[-2:] == ["CPU (PyTorch)", ""]
    assert run[:7] == ["Run 1", "0.01", str(HIDDEN), "1", "random", run[5], f"GPU ({ADAPTER})"]
    assert re.fullmatch(r"1: \d+\.\d\d%", run[5])
    assert re.fullmatch(r"[\d,]+", run[7])
    assert int(run[7].replace(",", "")) > 0
    legend = text(browser, "legend")
    assert f"Run 1: lr 0.01, {HIDDEN} hidden, 1 epoch, random start, GPU" in legend
    assert text(browser, "compare").startswith(
        f"Run 1 ({HIDDEN} hidden nodes, fresh random weights, on your GPU) reached"
    )
    assert text(browser, "weights").startswith(f"Your network, on your GPU ({ADAPTER}): ")


def test_a_gpu_trained_network_downloads_and_scores_in_python(
    gpu_epoch, mnist, site_dir, tmp_path, capsys
):
    from mnisttutor import load_classifier
    from mnisttutor.cli import main

    browser, _ = gpu_epoch
    accuracy = re.search(r"test accuracy (\d+\.\d\d)%", text(browser, "scores"))[1]
    path = downloaded(browser, tmp_path)
    metadata = file_metadata(path)
    assert metadata["trained_on"] == f"GPU ({ADAPTER})"
    assert metadata["steps"] == metadata["scored_after_steps"] == "60000"
    assert metadata["test_accuracy"] == f"{accuracy}%"
    _, _, test_images, test_labels = mnist
    right = round(evaluate(load_classifier(path), dataset(test_images, test_labels)) * 10000)
    assert f"{right / 100:.2f}" == accuracy
    data = str(site_dir / "_static/train/mnist")
    assert main(["evaluate", str(path), "--data-dir", data, "--csv-dir", str(tmp_path)]) == 0
    assert f"({accuracy}%," in capsys.readouterr().out
    assert console_errors(browser) == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_lab_after_a_gpu_run_is_accessible(gpu_epoch, npm_tools, theme, tmp_path):
    """axe on the lab as the GPU run left it, in each theme; vnu on its markup."""
    import sitecheck

    browser, _ = gpu_epoch
    browser.execute_script("document.body.dataset.theme = arguments[0]", theme)
    try:
        browser.execute_script(sitecheck.AXE_JS.read_text(encoding="utf-8"))
        violations = browser.execute_async_script(sitecheck._AXE_RUN_JS)
        serious = [v for v in violations if v["impact"] in sitecheck.AXE_FAILING_IMPACTS]
        assert serious == [], serious
    finally:
        browser.execute_script("document.body.dataset.theme = 'auto'")
    if theme == "light":  # the markup is the same in both
        assert sitecheck.vnu_errors_in_browser(browser, tmp_path, "train.html") == []


# ---- Slow motion and the speed control on the GPU ---------------------------------------

SLOW_STEPS = 2
SLOWED_STEPS = 30


def test_slow_motion_and_the_speed_control_take_pytorchs_steps_on_the_gpu(
    webgpu_browser, site_url, mnist
):
    """Two slow-motion steps, then 30 at 100 images a second, from the same network:
    each step's outputs and the weights after them are PyTorch's."""
    browser = webgpu_browser
    ready = open_lab(browser, site_url, GPU_RUN + "&speed=100")
    assert ready["kernel"] == "webgpu"
    assert device_choice(browser)["search"].endswith("&speed=100&device=gpu")  # kept to share
    classifier = network(page_weights(browser))
    shown = [
        browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "window.mnistTrain.slowStep().then((m) => done({index: m.index,"
            " before: Array.from(m.before), after: Array.from(m.after)}));"
        )
        for _ in range(SLOW_STEPS)
    ]
    assert [step["index"] for step in shown] == list(range(SLOW_STEPS))
    assert "The target is" in browser.find_element("css selector", ".mnist-slow__story").text
    images, labels, _, _ = mnist
    data = dataset(images[: SLOW_STEPS + SLOWED_STEPS], labels[: SLOW_STEPS + SLOWED_STEPS])
    for i, step in enumerate(shown):
        with torch.no_grad():
            np.testing.assert_allclose(
                step["before"], classifier(data.images[i]).numpy(), atol=1e-5
            )
        classifier.train(data.images[i], data.targets[i])  # the tutorial's step
        with torch.no_grad():
            np.testing.assert_allclose(step["after"], classifier(data.images[i]).numpy(), atol=1e-5)

    browser.execute_script(f"window.mnistTrain.train({{limit: {SLOW_STEPS + SLOWED_STEPS}}})")
    wait_for(browser, "window.mnistTrain.state.running")
    wait_for(browser, "document.querySelector('.mnist-train__rate').textContent.includes('slowed')")
    assert "slowed to 100 images/s" in text(browser, "rate")
    wait_for(browser, "!window.mnistTrain.state.running")
    assert (
        browser.execute_script("return window.mnistTrain.state.steps") == SLOW_STEPS + SLOWED_STEPS
    )
    rest = dataset(
        images[SLOW_STEPS : SLOW_STEPS + SLOWED_STEPS],
        labels[SLOW_STEPS : SLOW_STEPS + SLOWED_STEPS],
    )
    train_per_sample(classifier, rest, 1, progress=False)
    expected = [p.detach().numpy().ravel() for p in classifier.parameters()]
    largest = max(np.abs(w).max() for w in expected)
    worst = max(np.abs(a - b).max() for a, b in zip(page_weights(browser), expected, strict=True))
    assert worst <= TOLERANCE * largest
    assert console_errors(browser) == []


# ---- Without a GPU: no WebGPU, no adapter, a GPU lost partway ---------------------------


def test_a_gpu_lost_partway_leaves_the_network_to_start_again_on_the_cpu(webgpu_browser, site_url):
    browser = webgpu_browser
    assert open_lab(browser, site_url, GPU_RUN)["kernel"] == "webgpu"
    browser.get_log("browser")
    browser.find_element("css selector", ".mnist-train__train").send_keys(" ")
    wait_for(browser, "window.mnistTrain.state.steps >= 100")
    browser.execute_script("window.mnistTrain.loseGpu()")
    wait_for(
        browser, "window.mnistTrain.state.kernel === 'wasm' && !window.mnistTrain.state.running"
    )
    note = text(browser, "gpu")
    assert re.fullmatch(
        r"Your GPU stopped partway \(the browser reports: .+\): the network on it is lost, and "
        r"your runs train on your CPU until you pick GPU again\.",
        note,
    ), note
    assert device_choice(browser) == {
        "value": "cpu", "gpuDisabled": False, "kernel": "wasm",
        "search": f"?epochs=1&lr=0.01&hidden={HIDDEN}&start=random",
    }  # fmt: skip
    assert "on your CPU, from its starting weights" in text(browser, "status")
    assert run_rows(browser)[1][6] == f"GPU ({ADAPTER}), lost partway"
    assert not browser.find_element("css selector", ".mnist-train__download").is_enabled()
    # The CPU trains the new network; the GPU can be picked again.
    done = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 1000}).then(done);"
    )
    assert (done["type"], done["steps"]) == ("done", 1000)
    assert run_rows(browser)[2][6] == "CPU (WebAssembly)"
    select(browser, "device", "gpu")
    wait_for(browser, "window.mnistTrain.state.kernel === 'webgpu'")
    wait_for(browser, "document.querySelector('.mnist-train__gpu').hidden")
    assert console_errors(browser) == []
    assert browser.get_log("browser") == []


def test_without_an_adapter_the_gpu_run_falls_back_to_the_cpu(browser, site_url):
    """The site's usual browser has WebGPU with no adapter (Chromium's --disable-gpu)."""
    open_lab(browser, site_url, f"?hidden={HIDDEN}&start=random")
    time.sleep(0.5)  # time for any stray request to be logged
    assert browser.get_log("browser") == []  # no adapter asked for on a visit
    assert not browser.find_element("css selector", ".mnist-train__gpu").is_displayed()
    starting = page_weights(browser)
    select(browser, "device", "gpu")
    wait_for(
        browser, "document.querySelector('.mnist-train__status').textContent.includes('now on')"
    )
    assert text(browser, "gpu") == NO_ADAPTER
    assert device_choice(browser) == {
        "value": "cpu", "gpuDisabled": True, "kernel": "wasm",
        "search": f"?epochs=3&lr=0.01&hidden={HIDDEN}&start=random",
    }  # fmt: skip
    for a, b in zip(page_weights(browser), starting, strict=True):  # the same network
        np.testing.assert_array_equal(a, b)
    done = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.mnistTrain.train({limit: 1000}).then(done);"
    )
    assert (done["type"], done["steps"]) == ("done", 1000)
    assert run_rows(browser)[1][6] == "CPU (WebAssembly)"
    logged = browser.get_log("browser")
    assert logged, "Chromium logs no warning when it finds no adapter: is it asked?"
    assert all(
        entry["level"] == "WARNING" and entry["message"].endswith(NO_ADAPTER_WARNING)
        for entry in logged
    ), logged


def test_without_webgpu_the_gpu_is_offered_disabled_with_why(browser, site_url, npm_tools):
    """A browser with no navigator.gpu; an address that asks for the GPU all the same."""
    import sitecheck

    script = browser.execute_cdp_cmd(
        "Page.addScriptToEvaluateOnNewDocument", {"source": "delete Navigator.prototype.gpu;"}
    )
    try:
        ready = open_lab(browser, site_url, "?device=gpu")
        assert ready["kernel"] == "wasm"
        assert text(browser, "gpu") == NO_WEBGPU
        assert device_choice(browser) == {
            "value": "cpu", "gpuDisabled": True, "kernel": "wasm",
            "search": "?epochs=3&lr=0.01&hidden=200&start=tutorial",
        }  # fmt: skip
        described = browser.execute_script(
            "const s = document.querySelector('.mnist-train__device');"
            "return document.getElementById(s.getAttribute('aria-describedby')).textContent;"
        )
        assert described == NO_WEBGPU
        browser.execute_script(sitecheck.AXE_JS.read_text(encoding="utf-8"))
        violations = browser.execute_async_script(sitecheck._AXE_RUN_JS)
        assert [v for v in violations if v["impact"] in sitecheck.AXE_FAILING_IMPACTS] == []
        assert browser.get_log("browser") == []
    finally:
        browser.execute_cdp_cmd(
            "Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]}
        )
