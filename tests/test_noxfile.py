"""The noxfile's choice of PyTorch: the CPU build where it can be had, PyPI's where not."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def noxfile(monkeypatch):
    """noxfile.py as a module, with a stand-in for nox (the tests' environment has none)."""
    fake = types.ModuleType("nox")
    fake.options = types.SimpleNamespace()
    fake.session = lambda func: func
    fake.project = types.SimpleNamespace(
        load_toml=lambda path: {}, dependency_groups=lambda toml, group: [f"<{group}>"]
    )
    monkeypatch.setitem(sys.modules, "nox", fake)
    spec = importlib.util.spec_from_file_location("noxfile_under_test", ROOT / "noxfile.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Probe:
    """``index_reachable`` for the tests: answers ``reachable``, counts the questions."""

    def __init__(self, reachable: bool):
        self.reachable, self.asked = reachable, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.reachable


@pytest.mark.parametrize(
    ("setting", "uv", "linux", "gpu", "reachable", "source", "asked"),
    [
        (None, True, True, False, True, "auto", 1),  # uv chooses: the CPU build here
        (None, True, True, True, True, "auto", 1),  # uv chooses: a CUDA build for the GPU
        ("", False, True, False, True, "cpu", 1),  # pip, Linux, no GPU: the CPU index
        ("auto", False, True, True, True, None, 0),  # pip with a GPU: PyPI's CUDA build
        ("auto", False, False, False, True, None, 0),  # pip off Linux: PyPI's is small
        ("pypi", True, True, False, True, None, 0),
        ("cpu", True, True, False, False, "cpu", 0),  # as asked, not probed
        (" CU128 ", False, True, True, False, "cu128", 0),
    ],
)
def test_the_torch_comes_from_where_it_suits(
    noxfile, setting, uv, linux, gpu, reachable, source, asked
):
    probe = Probe(reachable)
    choice = noxfile.torch_choice(
        setting, uv=uv, linux=linux, nvidia_gpu=gpu, index_reachable=probe
    )
    assert choice == (source, None)
    assert probe.asked == asked


@pytest.mark.parametrize("uv", [True, False])
def test_without_pytorchs_index_the_sessions_fall_back_to_pypi_and_say_so(noxfile, uv):
    source, line = noxfile.torch_choice(
        None, uv=uv, linux=True, nvidia_gpu=False, index_reachable=Probe(False)
    )
    assert source is None
    assert "download.pytorch.org" in line
    assert "MNISTTUTOR_TORCH=pypi" in line
    assert "\n" not in line


class Session:
    """What _install asks of a nox session, recorded."""

    def __init__(self, backend: str):
        self.venv_backend = backend
        self.installs: list[tuple[tuple, dict | None]] = []
        self.warnings: list[str] = []

    def install(self, *args, env=None):
        self.installs.append((args, env))

    def warn(self, line):
        self.warnings.append(line)


def test_pip_installs_pytorch_first_from_its_index(noxfile, monkeypatch):
    monkeypatch.setenv("MNISTTUTOR_TORCH", "cpu")
    session = Session("venv")
    noxfile._install(session, "test")
    assert session.installs == [
        (("torch", "--index-url", "https://download.pytorch.org/whl/cpu"), None),
        (("-e", "."), None),
        (("<test>",), None),
    ]


def test_uv_is_given_its_torch_backend(noxfile, monkeypatch):
    monkeypatch.delenv("UV_TORCH_BACKEND", raising=False)
    monkeypatch.setenv("MNISTTUTOR_TORCH", "cu128")
    session = Session("uv")
    noxfile._install(session)
    assert session.installs == [(("-e", "."), {"UV_TORCH_BACKEND": "cu128"})]


def test_the_fallback_is_said_once_a_run(noxfile, monkeypatch):
    monkeypatch.delenv("MNISTTUTOR_TORCH", raising=False)
    monkeypatch.delenv("UV_TORCH_BACKEND", raising=False)
    monkeypatch.setattr(noxfile, "_index_reachable", Probe(False))
    monkeypatch.setattr(noxfile, "_nvidia_gpu", lambda: False)
    monkeypatch.setattr(noxfile.sys, "platform", "linux")
    first, second = Session("uv"), Session("uv")
    noxfile._install(first)
    noxfile._install(second)
    assert len(first.warnings) == 1
    assert second.warnings == []
    assert first.installs == second.installs == [(("-e", "."), None)]
