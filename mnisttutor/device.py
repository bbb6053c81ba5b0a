"""Choosing and describing the device: one helper, so no example names a backend."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
from collections.abc import Iterator
from pathlib import Path

import torch


class _NoCudaHomeNotice(logging.Filter):
    """Drops PyTorch's "No CUDA runtime is found, using CUDA_HOME=..." notice, and only it.

    A CUDA build of PyTorch (PyPI's default on Linux) logs it as a warning on a machine
    without an NVIDIA GPU that has a CUDA toolkit (``nvcc``), the first time anything
    imports ``torch.utils.cpp_extension``: ``torch.compile`` does, on the CPU too, to
    find C++ headers. It concerns building CUDA extensions, which nothing here does, yet
    it lands in a page's or a notebook's output as a ``W1205 23:19:26 ...`` line.
    PyTorch stopped it for CPU builds (pytorch/pytorch#106310), not for this case; the
    test is in ``torch/utils/cpp_extension.py``'s ``_find_cuda_home``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("No CUDA runtime is found")


logging.getLogger("torch.utils.cpp_extension").addFilter(_NoCudaHomeNotice())


def best_device() -> torch.device:
    """The best device here: the current accelerator if there is one, else the CPU.

    Uses :mod:`torch.accelerator` (PyTorch 2.6+) and falls back to CUDA, then Apple's
    MPS, on older releases.

    Examples
    --------
    >>> from mnisttutor import best_device
    >>> best_device().type in {"cpu", "cuda", "mps", "xpu", "mtia", "hpu"}
    True
    """
    accelerator = getattr(torch, "accelerator", None)
    if accelerator is not None:
        if accelerator.is_available():
            return accelerator.current_accelerator()
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def _cpu_name() -> str:
    with contextlib.suppress(OSError):
        with Path("/proc/cpuinfo").open() as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown CPU"


def describe_device(device: torch.device | str | None = None) -> str:
    """One line naming ``device`` (default :func:`best_device`): the GPU's name, or the CPU.

    Examples
    --------
    >>> from mnisttutor import describe_device
    >>> describe_device("cpu").startswith("CPU: ")
    True
    """
    device = best_device() if device is None else torch.device(device)
    if device.type == "cpu":
        cores, threads = os.cpu_count(), torch.get_num_threads()
        plural = "" if threads == 1 else "s"
        return f"CPU: {_cpu_name()}, {cores} logical cores, {threads} torch thread{plural}"
    module = torch.get_device_module(device)
    name = getattr(module, "get_device_name", lambda *_: device.type)(device)
    return f"{device.type.upper()}: {name}"


@contextlib.contextmanager
def default_device(device: torch.device | str | None = None) -> Iterator[torch.device]:
    """Create new tensors on ``device`` (default :func:`best_device`) inside the block.

    The modern form of the tutorial's deprecated
    ``torch.set_default_tensor_type(torch.cuda.FloatTensor)``: it wraps
    ``torch.set_default_device`` and restores the previous default on exit, so the
    setting never leaks. Outside such a block, prefer moving things explicitly with
    ``.to(device)``.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import default_device
    >>> with default_device("cpu") as device:
    ...     torch.zeros(2).device == device
    True
    """
    device = best_device() if device is None else torch.device(device)
    previous = torch.get_default_device()
    torch.set_default_device(device)
    try:
        yield device
    finally:
        # Setting None (not "cpu") removes the device mode entirely, which costs nothing.
        torch.set_default_device(None if previous.type == "cpu" else previous)


@contextlib.contextmanager
def cpu_threads(threads: int) -> Iterator[None]:
    """Run the block with ``threads`` torch CPU threads, then give back the old count.

    One image's training step is a chain of small operations, and threads waiting for
    each other cost more than they save, so per-image timings use one thread.

    Raises
    ------
    ValueError
        ``threads`` is below 1.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import cpu_threads
    >>> before = torch.get_num_threads()
    >>> with cpu_threads(1):
    ...     torch.get_num_threads()
    1
    >>> torch.get_num_threads() == before
    True
    """
    if threads < 1:
        raise ValueError(f"cpu_threads needs at least 1 thread, got {threads}.")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
