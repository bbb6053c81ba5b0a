"""Where a training step's time goes: each part timed, waiting for the device."""

from __future__ import annotations

import time

import torch

from .timing import synchronize

STEP_PARTS = ("forward", "loss", "zero_grad", "backward", "step")


def time_step_parts(
    classifier, images: torch.Tensor, targets: torch.Tensor, *, warmup: int = 50
) -> dict[str, float]:
    """Mean microseconds spent in each part of ``classifier``'s training step.

    Runs the step of :meth:`~mnisttutor.Classifier.train_step` written out part by part
    -- forward, loss, ``zero_grad``, backward, optimiser step -- once per row of
    ``images``, timing each part with a device synchronisation around it. The
    synchronisations cost a little on an accelerator, so the parts add up to a bit more
    than an untimed step.

    Parameters
    ----------
    classifier
        Has ``forward``, ``loss_function`` and ``optimiser``, like
        :class:`~mnisttutor.Classifier`. Its weights are trained by the timed steps.
    images, targets
        (N, 784) and (N, 10), on the classifier's device; one step per row.
    warmup
        Steps taken first and not timed (caches, lazy initialisation).

    Returns
    -------
    dict
        Part name (see ``STEP_PARTS``) to mean microseconds per step.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import Classifier
    >>> from mnisttutor.profiling import time_step_parts
    >>> parts = time_step_parts(Classifier(), torch.rand(20, 784), torch.eye(10)[:2].repeat(10, 1),
    ...                         warmup=5)
    >>> list(parts), all(us > 0 for us in parts.values())
    (['forward', 'loss', 'zero_grad', 'backward', 'step'], True)
    """
    if len(images) <= warmup:
        raise ValueError(f"need more than warmup={warmup} rows to time, got {len(images)}.")
    device = images.device
    totals = dict.fromkeys(STEP_PARTS, 0.0)
    marks: list[float] = []

    def mark():
        synchronize(device)
        marks.append(time.perf_counter())

    for i, (x, t) in enumerate(zip(images, targets, strict=True)):
        marks.clear()
        mark()
        outputs = classifier.forward(x)
        mark()
        loss = classifier.loss_function(outputs, t)
        mark()
        classifier.optimiser.zero_grad()
        mark()
        loss.backward()
        mark()
        classifier.optimiser.step()
        mark()
        if i >= warmup:
            for part, start, stop in zip(STEP_PARTS, marks[:-1], marks[1:], strict=True):
                totals[part] += stop - start
    timed = len(images) - warmup
    return {part: seconds / timed * 1e6 for part, seconds in totals.items()}
