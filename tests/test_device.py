"""The device helpers, and the rule that nothing else names a backend."""

from __future__ import annotations

import re
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
