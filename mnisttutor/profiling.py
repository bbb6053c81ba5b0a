"""Where training time goes: a step's time and parts, its operators, paths timed in turns.

The measuring machinery of sections 7 and 8, so that the pages show what is measured
and what it means, not how the clock is read.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial

import torch

from .classifier import Classifier
from .timing import best_time, synchronize

STEP_PARTS = ("forward", "loss", "zero_grad", "backward", "step")


def time_per_step(
    hidden_sizes,
    device: torch.device | str,
    images: torch.Tensor,
    targets: torch.Tensor,
    *,
    steps: int = 100,
    rounds: int = 3,
    warmup: int = 20,
) -> dict[int, float]:
    """Seconds per training step of the tutorial's network, for each hidden-layer size.

    Each size gets its own :class:`~mnisttutor.Classifier` (seeded alike), whose
    ``train`` takes one image a step from the rows of ``images``, over and over. After
    ``warmup`` untimed steps, :func:`~mnisttutor.timing.best_time` times rounds of
    ``steps`` steps, waiting for ``device`` around each. The sizes take turns, round by
    round, so a busy moment on the machine slows one round of one size rather than one
    size's result; each size's best round is kept.

    Parameters
    ----------
    hidden_sizes
        Nodes in the hidden layer, one network for each.
    device
        Where the networks and the images go.
    images, targets
        (N, 784) and (N, 10): the images the steps cycle through.
    steps, rounds, warmup
        Steps per timed round, rounds per size, and untimed steps first.

    Returns
    -------
    dict
        Hidden size to seconds per step.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor.profiling import time_per_step
    >>> times = time_per_step([8, 16], "cpu", torch.rand(4, 784), torch.eye(10)[:4], steps=5)
    >>> sorted(times), all(seconds > 0 for seconds in times.values())
    ([8, 16], True)
    """
    if rounds < 1 or steps < 1:
        raise ValueError(
            f"time_per_step needs rounds and steps of at least 1, got {rounds} and {steps}."
        )
    images, targets = images.to(device), targets.to(device)
    one_step = {}
    for hidden in hidden_sizes:
        torch.manual_seed(0)
        C = Classifier(hidden=hidden).to(device)
        pairs = itertools.cycle(list(zip(images, targets, strict=True)))
        one_step[hidden] = partial(_step_on_next, C, pairs)
        for _ in range(warmup):
            one_step[hidden]()
    best = dict.fromkeys(one_step, float("inf"))
    for _ in range(rounds):
        for hidden, step in one_step.items():
            seconds = best_time(step, device=device, warmup=0, rounds=1, number=steps)
            best[hidden] = min(best[hidden], seconds)
    return best


def _step_on_next(classifier, pairs) -> None:
    classifier.train(*next(pairs))


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


class OriginalMnistDataset:
    """The original tutorial's dataset, its ``__getitem__`` as published.

    It keeps the CSV as a pandas DataFrame and, for every image it is asked for, picks
    the row out with ``.iloc`` and makes new tensors. Section 8 times it against
    :class:`~mnisttutor.MnistDataset`, which converts the whole file once.

    Examples
    --------
    >>> import pandas as pd
    >>> from mnisttutor.profiling import OriginalMnistDataset
    >>> frame = pd.DataFrame([[3] + [255] * 784])
    >>> label, image, target = OriginalMnistDataset(frame)[0]
    >>> int(label), float(image.max()), int(target.argmax())
    (3, 1.0, 3)
    """

    def __init__(self, csv_file):
        import pandas as pd  # only this dataset needs pandas

        self.data_df = (
            csv_file if isinstance(csv_file, pd.DataFrame) else pd.read_csv(csv_file, header=None)
        )

    def __len__(self):
        return len(self.data_df)

    def __getitem__(self, index):
        label = self.data_df.iloc[index, 0]
        target = torch.zeros(10)
        target[label] = 1.0
        # torch warns, once per process, that pandas' array is read-only; the original
        # ignored the warning, and here it is silenced for this line only.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The given NumPy array is not writable")
            image_values = torch.FloatTensor(self.data_df.iloc[index, 1:].values) / 255.0
        return label, image_values, target


# What PyTorch's profiler library (kineto) writes to the process's stderr as a profile
# starts and stops, for tools that trace it (pytorch/kineto#1325), e.g.
# "USDT:2026-12-06 04:28:30 4153:4153 SyncActivityProfilerHandler.cpp:52] profiler_start".
# Jupyter shows the process's stderr in the notebook, under the cell, in red.
PROFILER_MARKER = re.compile(r"USDT:.*\] profiler_(start|stop)\r?\n?")


@contextmanager
def _without_profiler_markers() -> Iterator[None]:
    """Hold what C code writes to the process's stderr (file descriptor 2) for the block,
    then pass it on without the profiler's start and stop markers.

    Written at that level, the markers pass no Python stream or setting (kineto reads its
    log level once, as torch is imported), so the descriptor is pointed at a temporary
    file for the block, and anything else written there is kept, in order.
    """
    sys.stderr.flush()
    original = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(original, 2)
            os.close(original)
            held.seek(0)
            kept = PROFILER_MARKER.sub("", held.read().decode(errors="replace"))
            if kept:
                os.write(2, kept.encode())


def operations_per_step(classifier, image: torch.Tensor, target: torch.Tensor) -> Counter:
    """PyTorch operators one training step runs, by name, counted by :mod:`torch.profiler`.

    One untimed step comes first, so lazy initialisation is not counted. Nested
    operators (one calling another) are counted too.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import Classifier
    >>> from mnisttutor.profiling import operations_per_step
    >>> ops = operations_per_step(Classifier(), torch.rand(784), torch.eye(10)[3])
    >>> ops["aten::addmm"] + ops["aten::mm"] >= 2  # two layers' matrix products at least
    True
    """
    from torch.profiler import ProfilerActivity, profile

    classifier.train(image, target)  # warm up
    with _without_profiler_markers(), profile(activities=[ProfilerActivity.CPU]) as prof:
        classifier.train(image, target)
    return Counter({e.key: e.count for e in prof.key_averages() if e.key.startswith("aten::")})


# What each of PyTorch's operators in a training step does, in words a reader knows. A
# name not listed (another release may call others) counts as "something else".
OPERATION_KINDS = {
    "another view of the same numbers (no arithmetic)": (
        "as_strided", "view", "t", "transpose", "squeeze", "unsqueeze", "expand", "reshape",
        "_reshape_alias", "permute", "resolve_conj", "resolve_neg", "detach", "alias",
        "select", "slice", "unbind", "_unsafe_view",
    ),
    "new tensors, copies and filling": (
        "empty", "empty_strided", "empty_like", "zeros", "zeros_like", "ones", "ones_like",
        "full", "fill_", "zero_", "copy_", "clone", "to", "_to_copy", "resize_", "resize_as_",
        "new_empty_strided", "lift_fresh",
    ),
    "arithmetic on each number (sigmoids, the loss, the updates)": (
        "add", "add_", "sub", "sub_", "mul", "mul_", "div", "div_", "sum", "mean",
        "sigmoid", "sigmoid_", "sigmoid_backward", "binary_cross_entropy",
        "binary_cross_entropy_backward", "_foreach_add_", "_foreach_mul_", "rsub", "neg",
    ),
    "matrix products (the weighted sums and their gradients)": (
        "mm", "addmm", "mv", "addmv", "addr", "bmm", "dot", "matmul", "linear",
    ),
}  # fmt: skip


def operation_kinds(operations: Counter) -> dict[str, int]:
    """Counts from :func:`~mnisttutor.profiling.operations_per_step`, by ``OPERATION_KINDS``.

    Examples
    --------
    >>> from collections import Counter
    >>> from mnisttutor.profiling import operation_kinds
    >>> calls = Counter({"aten::mm": 3, "aten::t": 2, "aten::view": 1, "aten::x": 1})
    >>> kinds = operation_kinds(calls)
    >>> for kind, calls in kinds.items():
    ...     print(calls, kind)
    3 another view of the same numbers (no arithmetic)
    3 matrix products (the weighted sums and their gradients)
    1 something else
    """
    kind_of = {name: kind for kind, names in OPERATION_KINDS.items() for name in names}
    kinds = Counter()
    for name, count in operations.items():
        kinds[kind_of.get(name.removeprefix("aten::"), "something else")] += count
    order = [*OPERATION_KINDS, "something else"]
    return {kind: kinds[kind] for kind in order if kinds[kind]}


def time_in_turns(
    paths: Mapping[str, Callable[[object], object]],
    fresh: Callable[[], object],
    *,
    device: torch.device | str | None = None,
    rounds: int = 3,
) -> tuple[dict[str, float], dict[str, object]]:
    """Seconds each path takes to train a fresh network, the best of ``rounds`` turns.

    In every round each path in turn trains a network from ``fresh()``, so a busy
    moment on the machine slows one round of one path rather than its result; the
    fastest round is kept, as ``timeit`` does (:func:`~mnisttutor.timing.best_time`
    times each round).

    Parameters
    ----------
    paths
        Name to a function that trains the network it is given.
    fresh
        Makes the starting network, the same every time.
    device
        Where the paths run, synchronised around each timing.
    rounds
        Turns each path takes.

    Returns
    -------
    tuple
        Name to best seconds, and name to the network its last round trained.

    Examples
    --------
    >>> from mnisttutor.profiling import time_in_turns
    >>> best, trained = time_in_turns({"sum": lambda n: sum(range(n))}, lambda: 1000)
    >>> best["sum"] > 0, trained["sum"]
    (True, 1000)
    """
    if rounds < 1:
        raise ValueError(f"time_in_turns needs rounds of at least 1, got {rounds}.")
    best = dict.fromkeys(paths, float("inf"))
    trained = {}
    for _ in range(rounds):
        for name, path in paths.items():
            network = trained[name] = fresh()
            seconds = best_time(partial(path, network), device=device, warmup=0, rounds=1)
            best[name] = min(best[name], seconds)
    return best, trained


def largest_weight_difference(a: torch.nn.Module, b: torch.nn.Module) -> float:
    """The largest difference between any parameter of ``a`` and the same one of ``b``.

    For checking that two ways of training took the same steps: the networks must have
    the same layers. Zero means identical; about 1e-7 is float32 rounding.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import Classifier
    >>> from mnisttutor.profiling import largest_weight_difference
    >>> a, b = Classifier(), Classifier()
    >>> b.load_state_dict(a.state_dict())
    <All keys matched successfully>
    >>> largest_weight_difference(a, b)
    0.0
    >>> with torch.no_grad():
    ...     b.model[0].bias[3] += 0.5
    >>> round(largest_weight_difference(a, b), 3)
    0.5
    >>> largest_weight_difference(a, torch.nn.Linear(2, 2))
    Traceback (most recent call last):
    ...
    ValueError: the two networks' parameters differ in shape: give two networks with the same layers
    """
    pairs = list(zip(a.parameters(), b.parameters(), strict=False))
    if (
        len(pairs) != len(list(a.parameters()))
        or len(pairs) != len(list(b.parameters()))
        or any(x.shape != y.shape for x, y in pairs)
    ):
        raise ValueError(
            "the two networks' parameters differ in shape: give two networks with the same layers"
        )
    with torch.no_grad():
        return max((x - y).abs().max().item() for x, y in pairs)
