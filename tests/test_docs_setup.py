"""The docs build's gallery hooks: every example starts from the same clean state."""

from __future__ import annotations

import importlib.util
import random
import re
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("gallery_setup", ROOT / "docs" / "gallery_setup.py")
gallery_setup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gallery_setup)


def _draws():
    return random.random(), np.random.random(), torch.rand(1).item()  # noqa: NPY002


def test_reset_state_reseeds_and_clears_the_default_device():
    gallery_setup.reset_state({}, "first.py")
    first = _draws()
    torch.set_default_device("meta")  # what a careless example might leave behind
    torch.set_grad_enabled(False)
    threads = torch.get_num_threads()
    torch.set_num_threads(threads + 1)
    try:
        gallery_setup.reset_state({}, "second.py", when="before")
        assert torch.zeros(1).device == torch.device("cpu")
        assert torch.is_grad_enabled()
        assert torch.get_num_threads() == threads
        assert _draws() == first
    finally:
        torch.set_default_device(None)
        torch.set_grad_enabled(True)
        torch.set_num_threads(threads)


def test_first_notebook_cell_installs_from_the_site_unless_told_otherwise(monkeypatch):
    cell = gallery_setup.first_notebook_cell("https://example.org/site/wheels/")
    compile(cell, "first cell", "exec")
    assert re.search(
        r'os\.environ\.get\("MNISTTUTOR_WHEELS", .https://example\.org/site/wheels/.\)', cell
    )
    # Where mnisttutor is importable (as here) the cell installs nothing and names a device.
    calls = []
    monkeypatch.setattr("subprocess.check_call", calls.append)
    printed = []
    exec(cell, {"print": printed.append})
    assert calls == []
    assert re.match(r"[A-Z]+: \S", printed[0])


def test_first_notebook_cell_installs_the_wheel_when_mnisttutor_is_missing(monkeypatch):
    cell = gallery_setup.first_notebook_cell("https://example.org/site/wheels/")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "mnisttutor" else real_find_spec(name, *args),
    )
    calls = []
    monkeypatch.setattr("subprocess.check_call", calls.append)
    monkeypatch.setenv("MNISTTUTOR_WHEELS", "/elsewhere/wheels/")
    exec(cell, {"print": lambda *_: None})
    ((*_, package, option, where),) = calls
    assert (package, option, where) == ("mnisttutor", "--find-links", "/elsewhere/wheels/")
