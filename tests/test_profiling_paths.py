"""Sections 7 and 8's measuring: the original's dataset, step times, operators, paths in turns."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from mnisttutor import Classifier, profiling
from mnisttutor.profiling import (
    OPERATION_KINDS,
    OriginalMnistDataset,
    operation_kinds,
    operations_per_step,
    time_in_turns,
    time_per_step,
)


def frame(rows=5, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=(rows, 1))
    return pd.DataFrame(np.hstack([labels, rng.integers(0, 256, size=(rows, 784))]))


def test_original_dataset_gives_what_the_tutorial_gave():
    data = frame()
    dataset = OriginalMnistDataset(data)
    assert len(dataset) == 5
    label, image, target = dataset[2]
    assert label == data.iloc[2, 0]
    assert image.dtype == torch.float32
    np.testing.assert_allclose(image.numpy(), data.iloc[2, 1:].to_numpy() / 255.0, rtol=1e-6)
    assert target.tolist() == [1.0 if d == label else 0.0 for d in range(10)]


def test_original_dataset_reads_a_csv_file(tmp_path):
    path = tmp_path / "mnist.csv"
    frame(rows=3).to_csv(path, header=False, index=False)
    assert len(OriginalMnistDataset(path)) == 3


def test_original_dataset_leaves_the_warning_filters_alone():
    before = list(warnings.filters)
    OriginalMnistDataset(frame())[0]
    assert warnings.filters == before


def test_operations_per_step_sees_the_layers_and_the_optimiser():
    ops = operations_per_step(Classifier(), torch.rand(784), torch.eye(10)[3])
    assert ops["aten::sigmoid"] == 2  # the two layers' activations, forward
    assert sum(ops.values()) > 20  # a step is many small operators


def test_counting_operations_writes_nothing_to_stderr():
    """A notebook shows the process's stderr under the cell: the profiler's start and stop
    markers (pytorch/kineto#1325) must not reach it, from a process of its own."""
    code = (
        "import torch\n"
        "from mnisttutor import Classifier\n"
        "from mnisttutor.profiling import operations_per_step\n"
        "print(sum(operations_per_step(Classifier(), torch.rand(784), torch.eye(10)[3]).values()))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert int(done.stdout) > 0
    assert done.stderr == ""


def test_only_the_profiler_markers_are_held_back_from_stderr():
    """What else C code writes to stderr in the block comes through, in order."""
    code = (
        "import os\n"
        "from mnisttutor.profiling import _without_profiler_markers\n"
        "with _without_profiler_markers():\n"
        "    os.write(2, b'before\\n')\n"
        "    os.write(2, b'USDT:2026-12-06 04:28:30 4153:4153 Sync.cpp:52] profiler_start\\n')\n"
        "    os.write(2, b'a warning from C\\n')\n"
        "    os.write(2, b'USDT:2026-12-06 04:28:30 4153:4153 Sync.cpp:59] profiler_stop\\n')\n"
        "os.write(2, b'after\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stderr == "before\na warning from C\nafter\n"


def test_time_in_turns_gives_every_path_fresh_networks_in_turns():
    order = []
    paths = {"a": lambda net: order.append(("a", net)), "b": lambda net: order.append(("b", net))}
    made = iter(range(100))
    best, trained = time_in_turns(paths, lambda: next(made), rounds=3)
    assert [name for name, _ in order] == ["a", "b"] * 3
    assert [net for _, net in order] == list(range(6))
    assert set(best) == {"a", "b"}
    assert all(seconds > 0 for seconds in best.values())
    assert trained == {"a": 4, "b": 5}


def test_time_in_turns_needs_a_round():
    with pytest.raises(ValueError, match="rounds of at least 1"):
        time_in_turns({"a": print}, lambda: None, rounds=0)


def test_every_operator_of_a_step_has_a_kind_in_words():
    ops = operations_per_step(Classifier(), torch.rand(784), torch.eye(10)[3])
    kinds = operation_kinds(ops)
    assert sum(kinds.values()) == ops.total()
    assert set(OPERATION_KINDS) <= set(kinds)  # every kind is in a real step
    # A release of PyTorch that calls new operators may leave a few unnamed, not many.
    assert kinds.get("something else", 0) <= ops.total() // 10, ops


def test_time_per_step_takes_the_sizes_in_turns(monkeypatch):
    sizes_timed = []

    def timed(step, **kwargs):
        sizes_timed.append(step.args[0].model[0].out_features)  # the network's hidden size
        step()
        return 1.0 + len(sizes_timed)  # later rounds slower: the first round is the best

    monkeypatch.setattr(profiling, "best_time", timed)
    images, targets = torch.rand(3, 784), torch.eye(10)[:3]
    times = time_per_step([8, 16], "cpu", images, targets, steps=2, rounds=3, warmup=1)
    assert sizes_timed == [8, 16] * 3
    assert times == {8: 2.0, 16: 3.0}


def test_time_per_step_times_real_steps():
    images, targets = torch.rand(4, 784), torch.eye(10)[:4]
    times = time_per_step([8, 16], "cpu", images, targets, steps=5, rounds=2, warmup=2)
    assert sorted(times) == [8, 16]
    assert all(0 < seconds < 1 for seconds in times.values())


@pytest.mark.parametrize(("rounds", "steps"), [(0, 5), (2, 0)])
def test_time_per_step_needs_a_round_and_a_step(rounds, steps):
    with pytest.raises(ValueError, match="at least 1"):
        time_per_step([8], "cpu", torch.rand(2, 784), torch.eye(10)[:2], rounds=rounds, steps=steps)
