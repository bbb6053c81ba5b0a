"""The device helpers, and the rule that nothing else names a backend."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mnisttutor import best_device, default_device, describe_device
from mnisttutor import device as device_module

ROOT = Path(__file__).resolve().parents[1]


def test_best_device_follows_torch_accelerator(monkeypatch):
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: False)
    assert best_device() == torch.device("cpu")
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: True)
    monkeypatch.setattr(torch.accelerator, "current_accelerator", lambda: torch.device("meta"))
    assert best_device() == torch.device("meta")


def test_fallback_without_torch_accelerator(monkeypatch):
    monkeypatch.delattr(torch, "accelerator")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert best_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert best_device().type == "mps"


def test_describe_cpu():
    text = describe_device("cpu")
    assert text.startswith("CPU: ")
    assert "cores" in text
    assert "\n" not in text


def test_default_device_restores_the_previous_default():
    assert torch.get_default_device() == torch.device("cpu")
    with default_device("meta") as device:
        assert device == torch.device("meta")
        assert torch.zeros(1).device == torch.device("meta")
    assert torch.zeros(1).device == torch.device("cpu")


def test_default_device_restores_after_an_error():
    with pytest.raises(RuntimeError), default_device("meta"):
        raise RuntimeError
    assert torch.get_default_device() == torch.device("cpu")


def test_nothing_but_the_device_helper_hard_codes_a_backend():
    allowed = {
        Path(device_module.__file__).resolve(),
        Path(__file__).resolve(),
        ROOT / "benchmarks" / "gpu.py",  # it times CUDA graphs, which only CUDA has
    }
    pattern = re.compile(r"""["']cuda(:\d+)?["']|\.cuda\(\)|cuda\.FloatTensor\b(?!.*deprecated)""")
    offenders = []
    for folder in ("mnisttutor", "examples", "benchmarks", "docs"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.resolve() in allowed or "_build" in path.parts or "auto_examples" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_cpu_threads_gives_the_count_back_even_after_an_error():
    from mnisttutor.device import cpu_threads

    def fail_with_one_thread():
        with cpu_threads(1):
            assert torch.get_num_threads() == 1
            raise RuntimeError("inside")

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError, match="inside"):
        fail_with_one_thread()
    assert torch.get_num_threads() == before


def test_cpu_threads_refuses_no_threads():
    from mnisttutor.device import cpu_threads

    with pytest.raises(ValueError, match="at least 1 thread"), cpu_threads(0):
        pass


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_only_torchs_cuda_home_notice_is_dropped():
    # What torch/utils/cpp_extension.py logs with a CUDA build on a machine without a GPU.
    logger = logging.getLogger("torch.utils.cpp_extension")
    kept = _Kept()
    logger.addHandler(kept)
    try:
        logger.warning("No CUDA runtime is found, using CUDA_HOME='%s'", "/usr/local")
        logger.warning("Error building extension 'x'")
    finally:
        logger.removeHandler(kept)
    assert kept.messages == ["Error building extension 'x'"]


# torch.compile on the CPU, as section 8 runs it, in a fresh process: whatever torch this
# session installed (a CUDA build on a machine without a GPU logged a CUDA_HOME notice
# into section 8's output; the torch that the README's commands install is the one
# tested here, not only CI's CPU build).
COMPILE = """
import torch
import mnisttutor
from mnisttutor.training import sgd_step

step = torch.compile(sgd_step, fullgraph=True, dynamic=False)
weights = [torch.rand(200, 784), torch.rand(200), torch.rand(10, 200), torch.rand(10)]
step(torch.rand(784), torch.eye(10)[3], *weights, 0.01)
print("compiled")
"""


@pytest.mark.slow
def test_compiling_a_step_writes_nothing_but_its_output(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", COMPILE],
        capture_output=True,
        text=True,
        timeout=600,
        # a cache of its own, so the step is compiled here and not loaded
        env={**os.environ, "TORCHINDUCTOR_CACHE_DIR": str(tmp_path / "inductor")},
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "compiled\n", "")
