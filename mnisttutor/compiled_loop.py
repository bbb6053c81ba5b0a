"""The tutorial's per-image training as one loop compiled by numba, for the CPU.

:func:`~mnisttutor.train_per_sample_fast` calls :func:`cpu_steps`; numba is the optional
extra ``mnisttutor[fast]``, imported only when the loop is first compiled.
"""

from __future__ import annotations

import functools
import logging

import numpy as np
import torch

from .classifier import PROGRESS_EVERY

log = logging.getLogger(__name__)


def steps(images, targets, w1t, b1, w2, b2, alpha, first, every, losses):
    """:func:`~mnisttutor.sgd_step` for each image in turn, as one loop over the pixels,
    for numba to compile (:func:`compiled_steps`); plain Python, it would take minutes.

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
def compiled_steps():
    """:func:`steps` compiled to machine code by numba, or ``None`` without numba.

    numba is an optional extra (``pip install "mnisttutor[fast]"``), imported here, not
    with the package: only this path needs it. Without it the fast path takes
    :func:`~mnisttutor.sgd_step` per image, and says so once. The loop is compiled on its first call
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
    return numba.njit(steps)


def cpu_steps(images, targets, weights, lr: float, record: int, losses: list) -> None:
    """The compiled :func:`steps` on the classifier's weights, shared with numpy."""
    w1, b1, w2, b2 = weights
    w1t = w1.t().contiguous()  # (784, hidden): each pixel's weights in one row
    # numpy views of the tensors: the loop's updates land in them
    arrays = [w.detach().numpy() for w in (w1t, b1, w2, b2)]
    alpha = arrays[0].dtype.type(-lr / targets.shape[1])
    kept = torch.empty(len(range(record, len(images), PROGRESS_EVERY)), dtype=torch.float64)
    images, targets = images.detach().numpy(), targets.detach().numpy()
    compiled_steps()(images, targets, *arrays, alpha, record, PROGRESS_EVERY, kept.numpy())
    w1.copy_(w1t.t())
    losses.extend(kept.unbind())
