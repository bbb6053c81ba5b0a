"""The browser's training kernel (WebAssembly) against PyTorch, step for step.

The "Train it yourself" page trains the tutorial's network with
``docs/_static/train/kernel.wat``. Here the same module runs under wasmtime: after 1,000
steps from section 6's initial weights its weights must match PyTorch's
``train_per_sample`` to within ``TOLERANCE`` of the largest weight, its recorded outputs
must give the module path's losses, and it must score as :func:`mnisttutor.evaluate`.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from wasm_kernel import WasmKernel

from mnisttutor import (
    Classifier,
    DataNotFoundError,
    evaluate,
    fetch_mnist,
    read_idx,
    train_per_sample,
)

log = logging.getLogger(__name__)

pytestmark = pytest.mark.full_data

STEPS = 1000
TOLERANCE = 1e-5  # the bar, relative to the largest weight


@pytest.fixture(scope="module")
def mnist():
    """The first training and test images as uint8 (N, 784) with their labels."""
    pytest.importorskip("wasmtime")
    try:
        files = fetch_mnist(mirrors=())
    except DataNotFoundError as exc:
        pytest.skip(f"the real MNIST files are not here: {exc}")
    train = read_idx(files.train_images).reshape(-1, 784)[:STEPS]
    test = read_idx(files.test_images).reshape(-1, 784)[:2000]
    return train, read_idx(files.train_labels)[:STEPS], test, read_idx(files.test_labels)[:2000]


def dataset(images, labels):
    return SimpleNamespace(
        images=torch.from_numpy(images.astype(np.float32)) / 255.0,
        targets=torch.nn.functional.one_hot(torch.from_numpy(labels.astype(np.int64)), 10).float(),
    )


def weights_of(classifier):
    return [p.detach().numpy() for p in classifier.parameters()]


@pytest.mark.parametrize("hidden", [200, 36])
def test_kernel_trains_as_pytorch_does(mnist, hidden):
    train_images, train_labels, _, _ = mnist
    torch.manual_seed(0)
    classifier = Classifier(hidden)
    kernel = WasmKernel(hidden)
    kernel.set_weights(*weights_of(classifier))
    outputs = kernel.train(train_images, train_labels, lr=0.01)
    train_per_sample(classifier, dataset(train_images, train_labels), epochs=1, progress=False)
    expected = weights_of(classifier)
    largest = max(np.abs(w).max() for w in expected)
    worst = max(np.abs(a - b).max() for a, b in zip(kernel.weights(), expected, strict=True))
    log.info("hidden %d: largest difference %.2e of the largest weight", hidden, worst / largest)
    assert worst <= TOLERANCE * largest, (worst, largest)
    # The outputs it kept give the losses the module path recorded every 10 steps.
    targets = np.eye(10)[train_labels[9::10]]
    y = outputs.astype(np.float64)
    logs = targets * np.maximum(np.log(y), -100) + (1 - targets) * np.maximum(np.log1p(-y), -100)
    np.testing.assert_allclose(-logs.mean(axis=1), classifier.progress, rtol=1e-4, atol=1e-6)


def test_kernel_scores_and_predicts_as_pytorch_does(mnist):
    _, _, test_images, test_labels = mnist
    torch.manual_seed(1)
    classifier = Classifier()
    with torch.no_grad():  # a network that gets some right, so the count means something
        classifier.model[0].weight.normal_(0, 0.05)
        classifier.model[2].weight.normal_(0, 0.3)
    kernel = WasmKernel(200)
    kernel.set_weights(*weights_of(classifier))
    test = dataset(test_images, test_labels)
    test.labels = torch.from_numpy(test_labels.astype(np.int64))
    right = kernel.evaluate(test_images, test_labels)
    log.info("%d of %d right", right, len(test_labels))
    assert right == round(evaluate(classifier, test) * len(test_labels))
    with torch.no_grad():
        outputs = classifier(test.images).numpy()
    np.testing.assert_allclose(kernel.predict(test_images[0]), outputs[0], rtol=1e-5, atol=1e-7)
    # Each image's answer, for the page's confusion matrix: the first largest output.
    answers = kernel.classify(test_images)
    assert answers.dtype == np.uint8
    np.testing.assert_array_equal(answers, outputs.argmax(axis=1))
    assert (answers == test_labels).sum() == right


@pytest.mark.parametrize("hidden", [0, 30, -4])
def test_kernel_refuses_a_hidden_size_it_cannot_hold(hidden):
    pytest.importorskip("wasmtime")
    import wasmtime

    with pytest.raises(wasmtime.Trap):
        WasmKernel(hidden)
