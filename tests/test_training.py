"""The training loops: the fast per-sample path against the module path, and mini-batches."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mnisttutor import (
    Classifier,
    MnistTutorError,
    RefinedClassifier,
    evaluate,
    train_minibatch,
    train_per_sample,
    train_per_sample_fast,
    training,
)
from mnisttutor.training import sgd_step


def _data(n: int, seed: int = 0, blank: float = 0.0) -> SimpleNamespace:
    """``n`` random images with about ``blank`` of their pixels 0, as in MNIST (0.8)."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 10, (n,), generator=generator)
    images = torch.rand(n, 784, generator=generator)
    images[torch.rand(n, 784, generator=generator) < blank] = 0
    return SimpleNamespace(images=images, labels=labels, targets=torch.eye(10)[labels])


def _twins(**options) -> tuple[Classifier, Classifier]:
    torch.manual_seed(0)
    a, b = Classifier(**options), Classifier(**options)
    b.load_state_dict(a.state_dict())
    return a, b


@pytest.mark.parametrize(
    ("hidden", "lr", "blank", "step"),
    [
        (200, 0.01, 0.8, None),  # MNIST-like: the compiled loop skips blank pixels
        (16, 0.5, 0.8, None),
        (200, 0.01, 0.0, None),  # no blank pixels
        (200, 0.01, 0.8, sgd_step),  # the step that other devices take
        (16, 0.5, 0.0, sgd_step),
    ],
)
def test_fast_path_takes_the_module_paths_steps(hidden, lr, blank, step):
    """Reference test: the hand-written update against nn.Module + BCELoss + SGD."""
    data = _data(157, blank=blank)  # not a multiple of the progress interval or the bar chunk
    data.images[3] = 0  # an all-blank image
    reference, fast = _twins(hidden=hidden, lr=lr)
    train_per_sample(reference, data, epochs=2, progress=False)
    train_per_sample_fast(fast, data, epochs=2, step=step, progress=False)
    for expected, got in zip(reference.parameters(), fast.parameters(), strict=True):
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    assert fast.counter == reference.counter == 314
    assert len(fast.progress) == len(reference.progress) == 31
    torch.testing.assert_close(fast.progress, reference.progress, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", ["float64", "column-major images"])
def test_fast_path_takes_the_module_paths_steps_on_other_layouts(layout):
    """The compiled loop works on the arrays as they come: another dtype, strided rows."""
    data = _data(40, blank=0.8)
    reference, fast = _twins()
    if layout == "float64":
        data.images, data.targets = data.images.double(), data.targets.double()
        reference.double(), fast.double()
    else:
        data.images = data.images.t().contiguous().t()  # what pandas' to_numpy() gives
    train_per_sample(reference, data, epochs=1, progress=False)
    train_per_sample_fast(fast, data, epochs=1, progress=False)
    for expected, got in zip(reference.parameters(), fast.parameters(), strict=True):
        assert got.dtype == expected.dtype
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(fast.progress, reference.progress, rtol=1e-5, atol=1e-6)


def test_fast_path_trains_dtypes_that_numba_lacks():
    """bfloat16 has no numpy dtype: such weights take sgd_step instead of failing."""
    data = _data(20, blank=0.8)
    data.images, data.targets = data.images.bfloat16(), data.targets.bfloat16()
    by_default, by_sgd_step = _twins()
    by_default.to(torch.bfloat16), by_sgd_step.to(torch.bfloat16)
    before = by_default.model[0].weight.detach().clone()
    train_per_sample_fast(by_default, data, epochs=1, progress=False)
    train_per_sample_fast(by_sgd_step, data, epochs=1, step=sgd_step, progress=False)
    assert not torch.equal(by_default.model[0].weight, before)
    for expected, got in zip(by_sgd_step.parameters(), by_default.parameters(), strict=True):
        assert torch.equal(got, expected)


def test_without_numba_the_fast_path_takes_sgd_step_and_says_how_to_get_it(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba now raises ImportError
    training._compiled_steps.cache_clear()
    try:
        data = _data(20, blank=0.8)
        without, by_sgd_step = _twins()
        train_per_sample_fast(without, data, epochs=1, progress=False)
        train_per_sample_fast(without, data, epochs=1, progress=False)
    finally:
        training._compiled_steps.cache_clear()  # the next test gets numba back
    train_per_sample_fast(by_sgd_step, data, epochs=2, step=sgd_step, progress=False)
    for expected, got in zip(by_sgd_step.parameters(), without.parameters(), strict=True):
        assert torch.equal(got, expected)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1  # once, not per call
    assert 'pip install "mnisttutor[fast]"' in warnings[0].getMessage()


def test_fast_path_continues_the_progress_count():
    """Progress keeps the loss at every 10th step counted over all calls, as the module does."""
    data = _data(23, blank=0.8)
    reference, fast = _twins()
    for _ in range(3):
        train_per_sample(reference, data, epochs=1, progress=False)
        train_per_sample_fast(fast, data, epochs=1, progress=False)
    assert fast.counter == 69
    torch.testing.assert_close(fast.progress, reference.progress, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("blank", [0.0, 0.8])
def test_fast_path_moves_the_weights_in_place(blank):
    data = _data(5, blank=blank)
    classifier = Classifier(hidden=8)
    weight = classifier.model[0].weight
    before = weight.detach().clone()
    assert train_per_sample_fast(classifier, data, epochs=1, progress=False) is classifier
    assert classifier.model[0].weight is weight
    assert not torch.equal(weight, before)
    assert weight.grad is None  # no autograd involved


@pytest.mark.parametrize(
    "network",
    [RefinedClassifier, lambda: nn.Sequential(nn.Linear(784, 10), nn.Sigmoid())],
    ids=["refined", "a plain module"],
)
def test_fast_path_refuses_other_networks(network):
    with pytest.raises(MnistTutorError, match="the tutorial's Classifier only") as caught:
        train_per_sample_fast(network(), _data(3), progress=False)
    assert "train_per_sample()" in str(caught.value)


def test_fast_path_refuses_a_classifier_changed_after_it_was_built():
    C = Classifier()
    C.loss_function = nn.MSELoss()  # as section 9 does, for the module path
    with pytest.raises(MnistTutorError, match="MSELoss"):
        train_per_sample_fast(C, _data(3), progress=False)


def test_fast_path_refuses_data_on_another_device():
    data = _data(3)
    data.images = torch.empty(3, 784, device="meta")  # any device but the classifier's
    with pytest.raises(MnistTutorError, match=r"dataset\.to\(device\)"):
        train_per_sample_fast(Classifier(), data, progress=False)


@pytest.mark.parametrize("trainer", [train_per_sample_fast, train_minibatch])
def test_bad_epochs_is_a_clear_error(trainer):
    with pytest.raises(MnistTutorError, match="epochs"):
        trainer(Classifier(), _data(3), epochs=0, progress=False)


def test_bad_batch_size_is_a_clear_error():
    with pytest.raises(MnistTutorError, match="batch_size"):
        train_minibatch(Classifier(), _data(3), batch_size=0, progress=False)


def test_minibatch_takes_one_step_per_batch_and_learns():
    data = _data(200)
    data.images = data.images / 2
    data.images[:, :10] += data.targets  # a signal to find among the noise
    torch.manual_seed(0)
    classifier = RefinedClassifier(hidden=32, lr=0.01)
    before = evaluate(classifier, data)
    train_minibatch(classifier, data, epochs=50, batch_size=48, progress=False)
    assert classifier.counter == 50 * 5  # 48, 48, 48, 48, 8
    assert before < 0.5
    assert evaluate(classifier, data) > 0.95


def test_minibatch_shuffles_repeatably_from_the_seed():
    data = _data(50)
    seen = []

    class Recorder:
        def train_step(self, inputs, targets):
            seen.append(targets.argmax(dim=1).tolist())

    for seed in (1, 1, 2):
        train_minibatch(Recorder(), data, epochs=1, batch_size=50, seed=seed, progress=False)
    assert seen[0] == seen[1] != seen[2]
    assert sorted(seen[0]) == sorted(data.labels.tolist())
    assert seen[0] != data.labels.tolist()


def test_step_parts_are_timed_and_train_like_a_step():
    from mnisttutor.profiling import STEP_PARTS, time_step_parts

    data = _data(30)
    profiled, reference = _twins()
    parts = time_step_parts(profiled, data.images, data.targets, warmup=10)
    assert list(parts) == list(STEP_PARTS)
    assert all(us > 0 for us in parts.values())
    for x, t in zip(data.images, data.targets, strict=True):
        reference.train_step(x, t)
    for expected, got in zip(reference.parameters(), profiled.parameters(), strict=True):
        torch.testing.assert_close(got, expected)


def test_step_parts_need_more_rows_than_the_warmup():
    from mnisttutor.profiling import time_step_parts

    data = _data(5)
    with pytest.raises(ValueError, match="need more than warmup=5 rows"):
        time_step_parts(Classifier(), data.images, data.targets, warmup=5)


def test_minibatch_lr_decay_falls_linearly_to_zero():
    data = _data(100)
    classifier = RefinedClassifier(hidden=8, lr=0.004)
    seen = []
    step = classifier.train_step

    def recording_step(inputs, targets):
        seen.append(classifier.optimiser.param_groups[0]["lr"])
        step(inputs, targets)

    classifier.train_step = recording_step
    train_minibatch(classifier, data, epochs=2, batch_size=50, lr_decay=True, progress=False)
    assert seen == pytest.approx([0.004, 0.003, 0.002, 0.001])
    assert classifier.optimiser.param_groups[0]["lr"] == pytest.approx(0.0)
