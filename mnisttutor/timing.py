"""The one timer: seconds per call, the device synchronised, the best of several rounds."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def synchronize(device: torch.device | str | None) -> None:
    """Wait until ``device`` has finished its queued work (nothing to wait for on a CPU).

    Accelerators run kernels asynchronously, so a timer read without this measures only
    how long it took to queue them. ``torch.get_device_module`` is in every PyTorch
    this package supports, unlike ``torch.accelerator.synchronize`` (2.6+).
    """
    device = torch.device("cpu" if device is None else device)
    if device.type != "cpu":
        torch.get_device_module(device).synchronize(device)


def best_time(
    fn: Callable[..., object],
    *args: object,
    device: torch.device | str | None = None,
    warmup: int = 1,
    rounds: int = 5,
    number: int = 1,
) -> float:
    """Seconds per call of ``fn(*args)``: the best of ``rounds`` rounds of ``number`` calls.

    ``warmup`` calls come first and are not timed (allocation, lazy initialisation,
    compilation). Each round is timed between two synchronisations of ``device``, so
    work queued on an accelerator is counted. The fastest round is kept, as ``timeit``
    does: other work on the machine can only slow a round down.

    Parameters
    ----------
    fn
        The work to time.
    *args
        What ``fn`` is called with, each time.
    device
        The device ``fn`` runs on (default: the CPU, nothing to wait for).
    warmup
        Untimed calls first.
    rounds
        Timed rounds; the best is kept.
    number
        Calls per round.

    Raises
    ------
    ValueError
        ``rounds`` or ``number`` is below 1, or ``warmup`` below 0.

    Examples
    --------
    >>> from mnisttutor.timing import best_time
    >>> best_time(sum, range(1000), rounds=3, number=10) > 0
    True
    """
    if rounds < 1 or number < 1 or warmup < 0:
        raise ValueError(
            f"best_time needs rounds and number of at least 1 and warmup of at least 0, "
            f"got rounds={rounds}, number={number}, warmup={warmup}."
        )
    for _ in range(warmup):
        fn(*args)
    best = float("inf")
    for _ in range(rounds):
        with Stopwatch(device) as watch:
            for _ in range(number):
                fn(*args)
        best = min(best, watch.seconds)
    return best / number


class Stopwatch:
    """Seconds taken by a ``with`` block, ``device`` synchronised at both ends.

    One run of long work, such as a whole training: :func:`best_time` times its rounds
    with this.

    Examples
    --------
    >>> from mnisttutor.timing import Stopwatch
    >>> with Stopwatch() as watch:
    ...     total = sum(range(1000))
    >>> watch.seconds > 0
    True
    """

    def __init__(self, device: torch.device | str | None = None):
        self.device = device
        self.seconds = float("nan")  # until the block ends

    def __enter__(self) -> Stopwatch:
        synchronize(self.device)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        synchronize(self.device)
        self.seconds = time.perf_counter() - self._start
