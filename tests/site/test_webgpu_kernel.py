"""The WebGPU training kernel (``_static/webgpu/``) against PyTorch, on SwiftShader.

Headless Chromium with :data:`sitecheck.WEBGPU_FLAGS` has a WebGPU adapter,
SwiftShader, that computes on the CPU: slow, but real float32 arithmetic. From the same
initial weights, the kernel trains 1,000 steps one image at a time (the tutorial's
training) and 100 steps in batches of 100 images (``Classifier.train_step`` on a batch:
the mean loss over the batch), and its weights must match PyTorch's after the same
steps to within ``TOLERANCE`` of the largest weight. The outputs it records give the
module path's losses; it scores a test set as :func:`mnisttutor.evaluate` does, and its
answer for each image (``classify``, which the lab's confusion matrix and mistakes use)
is PyTorch's argmax.
"""

from __future__ import annotations

import base64
import logging

import numpy as np
import torch
from test_train import dataset  # the same dataset from IDX arrays as the lab's tests

from mnisttutor import Classifier, evaluate, train_per_sample

log = logging.getLogger(__name__)

TOLERANCE = 1e-5  # the bar, relative to the largest weight
HIDDEN = 200
TESTED = 2000  # test images scored

# Runs in the page: a kernel from the given weights trains on the first images of the
# published MNIST files, then hands back its weights, the outputs it recorded and its
# score on the first test images. Weights and outputs travel as base64 float32.
TRAIN_JS = """
const [weights, hidden, count, lr, batch, first, every, tested] = arguments;
const done = arguments[arguments.length - 1];
const decode = (text) =>
  new Float32Array(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer);
const encode = (array) => {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return btoa(text);
};
(async () => {
  const { gpuKernel, loadShaders, requestGpu } = window.mnistGpuKernel;
  const { firstItems } = window.mnistFirstImages;
  const gpu = await requestGpu();
  if (!gpu.device) return { error: gpu.reason };
  const shaders = await loadShaders(new URL("_static/webgpu/", location.href));
  const kernel = gpuKernel(gpu.device, shaders, hidden, batch);
  kernel.setWeights(Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, decode(v)])));
  const file = (name) => new URL(`_static/train/mnist/${name}.gz`, location.href);
  kernel.setData("train", await firstItems(file("train-images-idx3-ubyte"), count),
                 await firstItems(file("train-labels-idx1-ubyte"), count));
  kernel.setData("test", await firstItems(file("t10k-images-idx3-ubyte"), tested),
                 await firstItems(file("t10k-labels-idx1-ubyte"), tested));
  const began = performance.now();
  const recorded = await kernel.train(0, count, lr, first, every, batch);
  const seconds = (performance.now() - began) / 1000;
  const trained = await kernel.weights();
  return {
    seconds,
    adapter: gpu.name,
    weights: Object.fromEntries(Object.entries(trained).map(([k, v]) => [k, encode(v)])),
    recorded: encode(recorded),
    right: await kernel.evaluate("test"),
    answers: Array.from(await kernel.classify("test")),
    outputs: Array.from(await kernel.outputs("test", 0)),
  };
})().then(done, (error) => done({ error: String(error) }));
"""


def encoded(classifier) -> dict[str, str]:
    layer1, _, layer2, _ = classifier.model
    arrays = {
        "w1": layer1.weight,
        "b1": layer1.bias,
        "w2": layer2.weight,
        "b2": layer2.bias,
    }
    return {
        name: base64.b64encode(value.detach().numpy().astype("<f4").tobytes()).decode()
        for name, value in arrays.items()
    }


def decoded(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), "<f4")


def load_scripts(browser, site_url) -> None:
    """The train page, with the kernel's scripts added to it."""
    browser.get(site_url + "train.html")
    for script in ("gpu-kernel.js", "first-images.js"):
        loaded = browser.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const s = document.createElement('script'); s.src = arguments[0];"
            "s.onload = () => done(true); s.onerror = () => done(false); document.head.append(s);",
            f"_static/webgpu/{script}",
        )
        assert loaded, script


def train_on_gpu(browser, site_url, classifier, count, lr, *, batch=1, first=None, every=1):
    load_scripts(browser, site_url)
    browser.set_script_timeout(600)
    first = count if first is None else first
    result = browser.execute_async_script(
        TRAIN_JS, encoded(classifier), HIDDEN, count, lr, batch, first, every, TESTED
    )
    assert "error" not in result, result.get("error")
    return result


def compare(result, classifier, what: str) -> float:
    """The largest difference from PyTorch's weights, as a share of the largest weight."""
    expected = [p.detach().numpy().ravel() for p in classifier.parameters()]
    found = [decoded(result["weights"][name]) for name in ("w1", "b1", "w2", "b2")]
    largest = max(np.abs(w).max() for w in expected)
    worst = max(np.abs(a - b).max() for a, b in zip(found, expected, strict=True))
    log.info(
        "%s on %s in %.1f s: largest difference %.3g (%.3g of the largest weight, %.3g)",
        what,
        result["adapter"],
        result["seconds"],
        worst,
        worst / largest,
        largest,
    )
    return worst / largest


def check_score(result, classifier, test_images, test_labels) -> None:
    """It scores the test images as PyTorch does, gives each PyTorch's answer (its
    argmax), and gives the same outputs."""
    test = dataset(test_images[:TESTED], test_labels[:TESTED])
    log.info("%d of %d test images right on the GPU", result["right"], TESTED)
    assert result["right"] == round(evaluate(classifier, test) * TESTED)
    with torch.no_grad():
        outputs = classifier(test.images)
    answers = np.array(result["answers"])
    differ = np.flatnonzero(answers != outputs.argmax(dim=1).numpy())
    # Where PyTorch's two largest outputs tie to float32 rounding, either answer is fair.
    top_two = outputs.topk(2, dim=1).values.numpy()
    near_ties = np.flatnonzero(top_two[:, 0] - top_two[:, 1] < 1e-6)
    log.info("answers unlike PyTorch's: %d; near-ties: %d", len(differ), len(near_ties))
    assert set(differ) <= set(near_ties)
    assert result["right"] == int((answers == test_labels[:TESTED]).sum())
    np.testing.assert_allclose(result["outputs"], outputs[0].numpy(), rtol=1e-5, atol=1e-6)


def initial_classifier(**kwargs) -> Classifier:
    torch.manual_seed(0)
    return Classifier(HIDDEN, **kwargs)


def test_one_image_at_a_time_trains_as_pytorch_does(webgpu_browser, site_url, mnist):
    steps = 1000
    images, labels, test_images, test_labels = mnist
    classifier = initial_classifier()
    result = train_on_gpu(webgpu_browser, site_url, classifier, steps, 0.01, first=9, every=10)
    assert "swiftshader" in result["adapter"]
    train_per_sample(classifier, dataset(images[:steps], labels[:steps]), 1, progress=False)
    assert compare(result, classifier, "1,000 steps, one image each") <= TOLERANCE
    # The outputs it kept give the losses the module path recorded every 10 steps.
    y = decoded(result["recorded"]).reshape(-1, 10).astype(np.float64)
    targets = np.eye(10)[labels[9:steps:10]]
    logs = targets * np.maximum(np.log(y), -100) + (1 - targets) * np.maximum(np.log1p(-y), -100)
    np.testing.assert_allclose(-logs.mean(axis=1), classifier.progress, rtol=1e-4, atol=1e-6)
    check_score(result, classifier, test_images, test_labels)


def test_batches_of_100_train_as_pytorch_does(webgpu_browser, site_url, mnist):
    batch, steps, lr = 100, 100, 1.0  # section 7's learning rate for batches of 100
    every = 50  # the outputs of steps 0 and 50 (the lab's loss chart records them)
    images, labels, test_images, test_labels = mnist
    classifier = initial_classifier(lr=lr)
    result = train_on_gpu(
        webgpu_browser, site_url, classifier, batch * steps, lr, batch=batch, first=0, every=every
    )
    data = dataset(images[: batch * steps], labels[: batch * steps])
    recorded = []
    for step in range(steps):
        inputs, targets = (
            t[step * batch : (step + 1) * batch] for t in (data.images, data.targets)
        )
        if step % every == 0:
            with torch.no_grad():
                recorded.append(classifier(inputs).numpy())
        classifier.train_step(inputs, targets)  # the mean loss over the batch, as the page's
    assert compare(result, classifier, "100 steps of 100 images") <= TOLERANCE
    np.testing.assert_allclose(
        decoded(result["recorded"]).reshape(-1, batch, 10), recorded, rtol=1e-5, atol=1e-6
    )
    check_score(result, classifier, test_images, test_labels)  # a network that learned


REFUSALS_JS = """
const done = arguments[arguments.length - 1];
(async () => {
  const { gpuKernel, loadShaders, requestGpu } = window.mnistGpuKernel;
  const { device } = await requestGpu();
  const shaders = await loadShaders(new URL("_static/webgpu/", location.href));
  const refusal = async (attempt) => {
    try {
      await attempt();
      return null;
    } catch (error) {
      return error.message;
    }
  };
  const kernel = gpuKernel(device, shaders, 8, 2);
  const early = await refusal(() => kernel.train(0, 1, 0.01));
  kernel.setData("train", new Uint8Array(3 * 784), new Uint8Array(3));
  return [
    early,
    await refusal(() => gpuKernel(device, shaders, 0, 1)),
    await refusal(() => gpuKernel(device, shaders, 2.5, 1)),
    await refusal(() => gpuKernel(device, shaders, 8, 0)),
    await refusal(() => kernel.train(2, 2, 0.01)), // past the 3 images
    await refusal(() => kernel.train(0, 3, 0.01, Infinity, 1, 3)), // a batch of 3 in 2
    await refusal(() => kernel.setData("test", new Uint8Array(784), new Uint8Array(2))),
    await refusal(() => kernel.train(0, 3, 0.01, Infinity, 1, 2)), // this one is fine
  ];
})().then(done, (error) => done(String(error)));
"""


def test_the_kernel_refuses_what_it_cannot_do_and_says_why(webgpu_browser, site_url):
    load_scripts(webgpu_browser, site_url)
    webgpu_browser.get_log("browser")
    refusals = webgpu_browser.execute_async_script(REFUSALS_JS)
    early, *refused, fine = refusals
    assert fine is None
    assert early == 'No training images: call setData("train", images, labels) first.'
    sizes = "both must be positive whole numbers"
    assert [sizes in message for message in refused[:3]] == [True] * 3
    assert "outside the 3 images" in refused[3]
    assert "the kernel's batch of 2" in refused[4]
    assert refused[5] == "2 labels need 1568 pixels, not 784."
    assert webgpu_browser.get_log("browser") == []  # refused before the GPU saw anything
