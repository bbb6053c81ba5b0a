"""The docs build's gallery hooks (every example starts from the same clean state) and the
notebooks' setup cell (it installs the site's own wheel, or says in one sentence why not)."""

from __future__ import annotations

import importlib.util
import os
import random
import re
import socket
import subprocess
import sys
import venv
import zipfile
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import torch

import mnisttutor

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


# --- the notebooks' setup cell ---------------------------------------------------------------

SITE = "https://example.org/site/wheels/"
WHEEL = "mnisttutor-1.2.3-py3-none-any.whl"


def _setup_cell(wheels_url: str = SITE) -> str:
    cell = gallery_setup.first_notebook_cell(wheels_url, WHEEL)
    compile(cell, "setup cell", "exec")
    return cell


def _without_mnisttutor(monkeypatch):
    """As in a fresh environment: the cell finds no mnisttutor and installs it."""
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "mnisttutor" else real_find_spec(name, *args),
    )


def _fail_if_called(*args, **kwargs):
    raise AssertionError(f"not expected: {args}")


def test_the_setup_cell_asks_for_the_exact_wheel_at_the_sites_address():
    cell = _setup_cell()
    assert f'os.environ.get("MNISTTUTOR_WHEELS", "{SITE}")' in cell
    assert f'WHEEL = "{WHEEL}"' in cell
    # Never the bare name: an index would offer any package called mnisttutor.
    assert not re.search(r'"mnisttutor"\s*,\s*"--', cell)
    assert "--find-links" not in cell
    assert "--index-url" not in cell


def test_the_wheel_name_is_the_packages_version():
    assert gallery_setup.wheel_name() == f"mnisttutor-{mnisttutor.__version__}-py3-none-any.whl"
    assert repr(gallery_setup.wheel_name()).replace("'", '"') in gallery_setup.first_notebook_cell(
        SITE
    )


def test_where_mnisttutor_is_importable_the_cell_installs_nothing(monkeypatch):
    monkeypatch.setattr("urllib.request.urlopen", _fail_if_called)
    monkeypatch.setattr("subprocess.run", _fail_if_called)
    printed = []
    exec(_setup_cell(), {"print": printed.append})
    assert re.match(r"[A-Z]+: \S", printed[0])  # the device it will use


def test_the_cell_downloads_the_wheel_and_pip_installs_that_file(monkeypatch, tmp_path):
    _without_mnisttutor(monkeypatch)
    (tmp_path / WHEEL).write_bytes(b"the wheel's bytes")
    calls = []

    def pip(command, **kwargs):
        calls.append(command)
        assert Path(command[-1]).read_bytes() == b"the wheel's bytes"
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr("subprocess.run", pip)
    monkeypatch.setenv("MNISTTUTOR_WHEELS", tmp_path.as_uri())  # no trailing slash
    printed = []
    exec(_setup_cell(), {"print": printed.append})
    ((*start, wheel),) = calls
    assert start == [sys.executable, "-m", "pip", "install", "--quiet"]
    assert Path(wheel).name == WHEEL
    assert printed[0].startswith("Installing mnisttutor")
    assert re.match(r"[A-Z]+: \S", printed[-1])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("kind", "wheels"),
    [("published", f"http://127.0.0.1:{_closed_port()}/wheels/"), ("local", "file:///nowhere/")],
)
def test_an_unreachable_wheel_is_one_sentence_and_installs_nothing(monkeypatch, kind, wheels):
    _without_mnisttutor(monkeypatch)
    monkeypatch.setattr("subprocess.run", _fail_if_called)
    with pytest.raises(Exception) as raised:  # noqa: PT011 -- the cell's own class
        exec(_setup_cell(wheels), {"print": _fail_if_called})
    error = raised.value
    assert type(error).__name__ == "SetupError"
    (shown,) = error._render_traceback_()  # all that Jupyter shows: no traceback
    assert shown == str(error)
    assert "\n" not in shown
    assert shown.startswith(f"Could not {'download' if kind == 'published' else 'read'}")
    assert f"{wheels}{WHEEL}" in shown
    assert "run this cell again" in shown
    assert ("local build" in shown) == (kind == "local")


def test_a_failing_pip_shows_its_message_then_one_sentence(monkeypatch, tmp_path):
    _without_mnisttutor(monkeypatch)
    (tmp_path / WHEEL).write_bytes(b"")
    monkeypatch.setenv("MNISTTUTOR_WHEELS", tmp_path.as_uri() + "/")
    monkeypatch.setattr(
        "subprocess.run",
        lambda command, **_: subprocess.CompletedProcess(command, 1, "", "ERROR: no torch\n"),
    )
    printed = []
    with pytest.raises(Exception, match="pip could not install mnisttutor") as raised:
        exec(_setup_cell(), {"print": printed.append})
    assert "ERROR: no torch" in printed[-1]
    assert raised.value._render_traceback_() == [str(raised.value)]


# A wheel pip accepts, with a module that stands in for mnisttutor.
FAKE_MODULE = """\
VERSION = {version!r}
def best_device():
    return "cpu"
def describe_device(device):
    return "CPU: the fake mnisttutor " + VERSION
"""


def _fake_wheel(folder: Path, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"mnisttutor-{version}-py3-none-any.whl"
    info = f"mnisttutor-{version}.dist-info"
    files = {
        "mnisttutor/__init__.py": FAKE_MODULE.format(version=version),
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: mnisttutor\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in [*files, f"{info}/RECORD"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in {**files, f"{info}/RECORD": record}.items():
            archive.writestr(name, text)
    return path


@pytest.mark.slow  # a fresh virtual environment and two pip installs
def test_in_a_fresh_environment_the_cell_installs_the_sites_wheel_not_a_higher_one(tmp_path, serve):
    site = tmp_path / "site"
    _fake_wheel(site / "wheels", "0.1.0")
    # Where an index would offer a higher version of a package with the same name.
    elsewhere = _fake_wheel(tmp_path / "elsewhere", "99.0").parent
    url = serve(site)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))},
        "PIP_CONFIG_FILE": os.devnull,  # not this machine's pip settings
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(elsewhere),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "MNISTTUTOR_WHEELS": f"{url}wheels/",
    }
    run = partial(subprocess.run, env=env, cwd=tmp_path, capture_output=True, text=True)
    cell = gallery_setup.first_notebook_cell(
        "https://example.org/unused/", "mnisttutor-0.1.0-py3-none-any.whl"
    )
    done = run([python, "-c", cell])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "CPU: the fake mnisttutor 0.1.0"
    version = [python, "-c", "import importlib.metadata as m; print(m.version('mnisttutor'))"]
    assert run(version).stdout.strip() == "0.1.0"
    # The old cell's command, by name with --find-links, takes the higher version: the
    # trap above is real, and the cell avoids it.
    old = [
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "-U",
        "mnisttutor",
        "--find-links",
        f"{url}wheels/",
    ]
    assert run(old).returncode == 0
    assert run(version).stdout.strip() == "99.0"
