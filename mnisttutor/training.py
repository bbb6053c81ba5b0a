"""Training loops over a whole dataset: the tutorial's, a fast equivalent, and mini-batches.

Three ways to train a :class:`~mnisttutor.Classifier`:

- :func:`train_per_sample` is the tutorial's loop: one image at a time through the
  ``nn.Module``, its loss and its optimiser.
- :func:`train_per_sample_fast` takes the same steps in the same order with the same
  maths, written out by hand. On the CPU, numba compiles the whole loop into machine
  code; elsewhere each step is a dozen small tensor operations instead of the module,
  autograd and optimiser machinery.
- :func:`train_minibatch` trains on shuffled batches, for the refined networks.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable

import numpy as np
import torch
from torch import nn
from tqdm import tqdm  # plain bars: tqdm.auto warns in Jupyter without ipywidgets

from .classifier import PROGRESS_EVERY, Classifier
from .dataset import MnistDataset
from .errors import MnistTutorError

log = logging.getLogger(__name__)

BAR_CHUNK = 1000  # update the progress bar this many steps at a time, not every step
COMPILED_DTYPES = (torch.float32, torch.float64)


def _show(progress: bool | None) -> bool:
    return sys.stderr.isatty() if progress is None else progress


def train_per_sample(
    classifier: Classifier, dataset: MnistDataset, epochs: int = 3, *, progress: bool | None = None
) -> Classifier:
    """The tutorial's loop: ``epochs`` passes, one image at a time, in the data's order.

    The dataset's tensors must already be on the classifier's device
    (``dataset.to(device)``).

    Examples
    --------
    >>> from mnisttutor import Classifier, MnistDataset, fetch_mnist_csv, train_per_sample
    >>> C = train_per_sample(Classifier(), MnistDataset(fetch_mnist_csv().train))  # doctest: +SKIP
    """
    with tqdm(total=epochs * len(dataset.images), unit="img", disable=not _show(progress)) as bar:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            for image, target in zip(dataset.images, dataset.targets, strict=True):
                classifier.train(image, target)
                bar.update()
    return classifier


def _tutorial_layers(classifier: Classifier) -> tuple[nn.Linear, nn.Linear, float]:
    """The two Linear layers and the SGD learning rate of the tutorial's network."""
    if not isinstance(classifier, Classifier):
        raise MnistTutorError(
            f"train_per_sample_fast trains the tutorial's Classifier only (its step is "
            f"written out by hand for that network); got {type(classifier).__name__}. "
            "Use train_per_sample() or train_minibatch() for other networks."
        )
    # Its parts are plain attributes, so a page may swap one (section 9 does); the
    # hand-written step would then silently train something else.
    parts = [*classifier.model, classifier.loss_function, classifier.optimiser]
    built = [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid, nn.BCELoss, torch.optim.SGD]
    if [type(part) for part in parts] != built:
        raise MnistTutorError(
            "train_per_sample_fast needs the Classifier as built (Linear, Sigmoid, Linear, "
            f"Sigmoid, BCELoss, SGD); this one has {', '.join(type(p).__name__ for p in parts)}. "
            "Use train_per_sample() for a changed network."
        )
    layer1, _, layer2, _ = classifier.model
    return layer1, layer2, float(classifier.optimiser.param_groups[0]["lr"])


def sgd_step(x, t, w1, b1, w2, b2, lr: float) -> torch.Tensor:
    """One per-sample SGD step of the tutorial's network, in place; returns the outputs.

    The same step as ``Classifier.train_step``, with the gradients written out: for
    ``y = sigmoid(w2 @ h + b2)`` and the mean of 10 binary cross-entropies,
    d loss / d (w2 @ h + b2) is ``(y - t) / 10``; the hidden layer's is that sent back
    through ``w2`` times the sigmoid's slope ``h (1 - h)``. Both gradients use the old
    ``w2``, as the optimiser's step does.
    """
    h = torch.addmv(b1, w1, x).sigmoid_()  # (hidden,)
    y = torch.addmv(b2, w2, h).sigmoid_()  # (10,)
    dz2 = (y - t).div_(t.numel())  # (10,)
    dz1 = torch.mv(w2.t(), dz2).mul_(h - h * h)  # (hidden,)
    w2.addr_(dz2, h, alpha=-lr)
    b2.add_(dz2, alpha=-lr)
    w1.addr_(dz1, x, alpha=-lr)
    b1.add_(dz1, alpha=-lr)
    return y


def _keep_loss(i: int, record: list[int], y, t, losses: list) -> None:
    """Keep the loss of step ``record[0]`` (counted from 0 in this chunk) and every
    ``PROGRESS_EVERY`` after it. ``y`` is the output before the step's update, as the
    module path's loss is."""
    if i == record[0]:
        losses.append(nn.functional.binary_cross_entropy(y, t))
        record[0] += PROGRESS_EVERY


def _dense_steps(images, targets, weights, lr: float, record: int, losses: list, step) -> None:
    """``step`` (:func:`sgd_step` or a compiled copy) for each image in turn."""
    record_ = [record]
    for i, (x, t) in enumerate(zip(images.unbind(0), targets.unbind(0), strict=True)):
        _keep_loss(i, record_, step(x, t, *weights, lr), t, losses)


def _steps(images, targets, w1t, b1, w2, b2, alpha, first, every, losses):
    """:func:`sgd_step` for each image in turn, as one loop over the pixels, for numba to
    compile (:func:`_compiled_steps`); plain Python, it would take minutes.

    ``w1t`` is the first layer's weights transposed, (784, hidden), so that each pixel's
    weights are one contiguous row; the other arrays are the classifier's own, updated in
    place. ``alpha`` is the step size over the 10 outputs (``-lr / 10``: the mean of the
    loss, folded in), in the weights' dtype so the sums stay in it. The loss before the
    update goes into ``losses`` at step ``first`` and every ``every`` steps after it.

    A blank pixel (0) adds nothing to the hidden sums and its weights' gradient,
    ``dh * 0``, is zero, so the loop skips it: that changes no result but the order of
    additions. Most MNIST pixels are blank, so a step reads and writes about a fifth of
    the first layer's weights.
    """
    n_pixels, hidden = w1t.shape
    n_out = w2.shape[0]
    h = np.empty(hidden, w1t.dtype)
    dh = np.empty(hidden, w1t.dtype)
    y = np.empty(n_out, w1t.dtype)
    dy = np.empty(n_out, w1t.dtype)
    for i in range(images.shape[0]):
        x, t = images[i], targets[i]
        h[:] = b1
        for p in range(n_pixels):
            if x[p] != 0:
                for j in range(hidden):
                    h[j] += x[p] * w1t[p, j]
        for j in range(hidden):
            h[j] = 1 / (1 + np.exp(-h[j]))
        for o in range(n_out):
            z = b2[o]
            for j in range(hidden):
                z += w2[o, j] * h[j]
            y[o] = 1 / (1 + np.exp(-z))
            dy[o] = y[o] - t[o]  # the loss's gradient, times 10
        if i >= first and (i - first) % every == 0:
            # nn.BCELoss: logs clamped at -100, the mean over the outputs
            total = 0.0
            for o in range(n_out):
                total -= t[o] * max(np.log(y[o]), -100) + (1 - t[o]) * max(np.log1p(-y[o]), -100)
            losses[(i - first) // every] = total / n_out
        for j in range(hidden):  # back through the old w2, times the sigmoid's slope
            back = w2[0, j] * dy[0]
            for o in range(1, n_out):
                back += w2[o, j] * dy[o]
            dh[j] = back * (h[j] - h[j] * h[j])
        for o in range(n_out):
            step = alpha * dy[o]
            for j in range(hidden):
                w2[o, j] += step * h[j]
            b2[o] += step
        for p in range(n_pixels):
            if x[p] != 0:
                step = alpha * x[p]
                for j in range(hidden):
                    w1t[p, j] += step * dh[j]
        for j in range(hidden):
            b1[j] += alpha * dh[j]


@functools.cache
def _compiled_steps():
    """:func:`_steps` compiled to machine code by numba, or ``None`` without numba.

    numba is an optional extra (``pip install "mnisttutor[fast]"``), imported here, not
    with the package: only this path needs it. Without it the fast path takes
    :func:`sgd_step` per image, and says so once. The loop is compiled on its first call
    (a few seconds, once per process) and not cached on disk, since the cache would
    write beside the installed package and fail where that is read-only.
    """
    try:
        import numba
    except ImportError:
        log.warning(
            "numba is not installed, so train_per_sample_fast takes PyTorch's per-image "
            "step (sgd_step), several times slower. For the compiled loop: "
            'pip install "mnisttutor[fast]"'
        )
        return None
    return numba.njit(_steps)


def _cpu_steps(images, targets, weights, lr: float, record: int, losses: list) -> None:
    """The compiled :func:`_steps` on the classifier's weights, shared with numpy."""
    w1, b1, w2, b2 = weights
    w1t = w1.t().contiguous()  # (784, hidden): each pixel's weights in one row
    # numpy views of the tensors: the loop's updates land in them
    arrays = [w.detach().numpy() for w in (w1t, b1, w2, b2)]
    alpha = arrays[0].dtype.type(-lr / targets.shape[1])
    kept = torch.empty(len(range(record, len(images), PROGRESS_EVERY)), dtype=torch.float64)
    images, targets = images.detach().numpy(), targets.detach().numpy()
    _compiled_steps()(images, targets, *arrays, alpha, record, PROGRESS_EVERY, kept.numpy())
    w1.copy_(w1t.t())
    losses.extend(kept.unbind())


@torch.no_grad()
def train_per_sample_fast(
    classifier: Classifier,
    dataset: MnistDataset,
    epochs: int = 3,
    *,
    step: Callable | None = None,
    progress: bool | None = None,
) -> Classifier:
    """The tutorial's training, many times faster: same steps, same order, same maths.

    Takes exactly the steps of :func:`train_per_sample` -- one image at a time, in the
    data's order, sigmoid layers, the mean binary cross-entropy over the 10 outputs and
    plain SGD at the classifier's learning rate -- but computes each gradient by hand and
    updates the classifier's own weights in place. That skips what makes a tutorial step
    slow: building the autograd graph, the module and loss calls, ``zero_grad`` and the
    optimiser's bookkeeping.

    On the CPU the whole loop is compiled to machine code with numba, so a step costs no
    Python or PyTorch calls at all, and it skips each image's blank pixels, whose terms
    are zero. The first call in a process spends a few seconds compiling. On other
    devices each step is :func:`~mnisttutor.training.sgd_step`, a dozen small tensor
    operations; so it is on the CPU without numba, the optional extra
    ``mnisttutor[fast]`` (a warning, logged once, says how to install it).

    The weights agree with the module path's to rounding, so the
    result scores the same; :func:`~mnisttutor.evaluate` and
    :func:`~mnisttutor.save_classifier` work on it as usual, and ``counter`` and
    ``progress`` are kept as the module path keeps them.

    With ``step``, per-sample work is a chain of tiny operations, so it runs fastest on
    one thread (``torch.set_num_threads(1)``); splitting each one across cores costs more
    in synchronisation than it saves. The compiled loop always runs on one thread.

    Parameters
    ----------
    classifier
        The tutorial's network, a :class:`~mnisttutor.Classifier` (any hidden size and
        learning rate).
    dataset
        Anything with ``images`` (N, 784) and ``targets`` (N, 10) on the classifier's
        device, such as :class:`~mnisttutor.MnistDataset`.
    epochs
        Passes over the data.
    step
        ``None`` (default) for the fastest: the compiled loop on the CPU (for
        float32 and float64 weights), :func:`~mnisttutor.training.sgd_step`
        elsewhere. Or a step to call for each image, with the signature of
        ``sgd_step``: ``sgd_step`` itself, or a compiled copy such as
        ``torch.compile(sgd_step)``.
    progress
        Show a progress bar (default: when writing to a terminal).

    Raises
    ------
    MnistTutorError
        The classifier is not a :class:`~mnisttutor.Classifier`, or ``epochs`` is below 1.

    Examples
    --------
    >>> import torch
    >>> from types import SimpleNamespace
    >>> from mnisttutor import Classifier, train_per_sample_fast
    >>> _ = torch.manual_seed(0)
    >>> images = torch.rand(30, 784)
    >>> data = SimpleNamespace(images=images, targets=torch.eye(10)[torch.arange(30) % 10])
    >>> C = train_per_sample_fast(Classifier(), data, epochs=2, progress=False)
    >>> C.counter, len(C.progress)
    (60, 6)
    """
    if epochs < 1:
        raise MnistTutorError(f"epochs must be at least 1, got {epochs}.")
    layer1, layer2, lr = _tutorial_layers(classifier)
    weights = layer1.weight, layer1.bias, layer2.weight, layer2.bias
    images, targets = dataset.images, dataset.targets
    device = layer1.weight.device
    if images.device != device or targets.device != device:
        raise MnistTutorError(
            f"the data is on {images.device} but the classifier on {device}: "
            f"call dataset.to(device) first."
        )
    # numba computes in float32 and float64 only; other dtypes take PyTorch's step.
    compiled = step is None and device.type == "cpu" and layer1.weight.dtype in COMPILED_DTYPES
    compiled = compiled and _compiled_steps() is not None  # numba is an optional extra
    n = len(images)
    with tqdm(total=epochs * n, unit="img", disable=not _show(progress)) as bar:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            for start in range(0, n, BAR_CHUNK):
                stop = min(start + BAR_CHUNK, n)
                losses: list[torch.Tensor] = []
                # The module path records the loss at counter 10, 20, ... (counted from 1).
                first = -(classifier.counter + 1) % PROGRESS_EVERY
                chunk = images[start:stop], targets[start:stop], weights, lr, first, losses
                if compiled:
                    _cpu_steps(*chunk)
                else:
                    _dense_steps(*chunk, step or sgd_step)
                classifier.counter += stop - start
                if losses:
                    classifier.progress.extend(torch.stack(losses).tolist())
                bar.update(stop - start)
    return classifier


def train_minibatch(
    classifier: nn.Module,
    dataset: MnistDataset,
    epochs: int = 3,
    *,
    batch_size: int = 64,
    seed: int = 0,
    lr_decay: bool = False,
    progress: bool | None = None,
) -> nn.Module:
    """Train on shuffled mini-batches: ``epochs`` passes of ``classifier.train_step(batch)``.

    Each pass draws a new order from a generator seeded with ``seed``, so a run is
    repeatable, and feeds ``batch_size`` images at a time (the last batch may be
    smaller). Slicing the dataset's tensors directly does what a ``DataLoader`` with
    ``shuffle=True`` does here, without its per-item Python calls.

    Parameters
    ----------
    classifier
        Anything with ``train_step(inputs, targets)``, such as
        :class:`~mnisttutor.RefinedClassifier`.
    dataset
        Anything with ``images`` (N, 784) and ``targets`` (N, 10) on the classifier's
        device, such as :class:`~mnisttutor.MnistDataset`.
    epochs
        Passes over the data.
    batch_size
        Images per step.
    seed
        Seeds the shuffling (not the weights: seed those with ``torch.manual_seed``).
    lr_decay
        Lower the optimiser's learning rate linearly, from its value at the start to zero
        at the last step. A short run then ends with small, careful steps, which gains a
        few tenths of a point of accuracy. Needs ``classifier.optimiser``.
    progress
        Show a progress bar (default: when writing to a terminal).

    Raises
    ------
    MnistTutorError
        ``epochs`` or ``batch_size`` is below 1.

    Examples
    --------
    >>> import torch
    >>> from types import SimpleNamespace
    >>> from mnisttutor import Classifier, train_minibatch
    >>> labels = torch.arange(100) % 10
    >>> data = SimpleNamespace(images=torch.rand(100, 784), targets=torch.eye(10)[labels])
    >>> C = train_minibatch(Classifier(), data, epochs=2, batch_size=32, progress=False)
    >>> C.counter  # 4 batches a pass: 32, 32, 32 and the last 4
    8
    """
    if epochs < 1 or batch_size < 1:
        raise MnistTutorError(
            f"epochs and batch_size must be at least 1, got {epochs} and {batch_size}."
        )
    images, targets = dataset.images, dataset.targets
    n = len(images)
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * -(-n // batch_size)
    schedule = None
    if lr_decay:
        schedule = torch.optim.lr_scheduler.LambdaLR(
            classifier.optimiser, lambda step: 1 - step / steps
        )
    with tqdm(total=epochs * n, unit="img", disable=not _show(progress)) as bar:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            order = torch.randperm(n, generator=generator).to(images.device)
            for batch in order.split(batch_size):
                classifier.train_step(images[batch], targets[batch])  # (B, 784), (B, 10)
                if schedule is not None:
                    schedule.step()
                bar.update(len(batch))
    return classifier
