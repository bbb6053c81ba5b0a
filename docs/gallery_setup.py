"""Build-time helpers for the gallery, kept out of conf.py so they can be tested and named.

sphinx-gallery takes its hooks as fully qualified names (``"gallery_setup.reset_state"``),
which keeps its configuration picklable for parallel builds and its md5 checks stable.
"""

from __future__ import annotations

import html
import json
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

SEED = 0
_DEFAULT_THREADS = None  # torch's thread count before any example ran
ROOT = Path(__file__).resolve().parents[1]


def reset_state(gallery_conf, fname, when=None):
    """Give every example the same start: seeded RNGs, CPU default device, quiet threads.

    Runs before each example (sphinx-gallery ``reset_modules``), after matplotlib's own
    reset, so no seed, default device or setting leaks from one example into the next.
    """
    import numpy as np
    import torch

    global _DEFAULT_THREADS
    if _DEFAULT_THREADS is None:
        _DEFAULT_THREADS = torch.get_num_threads()
    torch.set_num_threads(_DEFAULT_THREADS)
    random.seed(SEED)
    np.random.seed(SEED)  # noqa: NPY002 -- examples may use the legacy global RNG
    torch.manual_seed(SEED)
    # An example that called torch.set_default_device() must not move the next one's
    # tensors; None removes the device mode entirely (the state a fresh process has).
    torch.set_default_device(None)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)


def wheel_name() -> str:
    """The file name of mnisttutor's wheel: pure Python, so the same on every platform.

    The setup cell asks for this exact file, and :func:`build_wheel` checks that the
    wheel it builds has this name.
    """
    import mnisttutor

    return f"mnisttutor-{mnisttutor.__version__}-py3-none-any.whl"


# What the setup cell says when it cannot get the wheel: one sentence, in two versions.
# A published site's notebook downloads it from the site's address; a local build's (no
# site address) from the folder of the machine that built it, which elsewhere is missing.
UNREACHABLE = {
    "published": (
        "Could not download mnisttutor from {url} ({reason}): check that this computer is "
        "online and run this cell again; if the address no longer works, download this "
        "notebook again from the website."
    ),
    "local": (
        "Could not read mnisttutor from {url} ({reason}): this notebook comes from a local "
        "build of the website, and that file is only on the computer that built it, so "
        "download the notebook from the published website instead, or copy the file here "
        "and install it with pip install FILE, then run this cell again."
    ),
}


def _f_string(text: str, indent: str, width: int = 76) -> str:
    """``text`` as the lines of an f-string literal, wrapped at ``width``, each indented."""
    words = textwrap.wrap(text, width - len(indent) - 4, break_on_hyphens=False)
    pieces = [f"{line} " for line in words[:-1]] + words[-1:]
    return "\n".join(f"{indent}f{_quoted(piece)}" for piece in pieces)


def _quoted(text: str) -> str:
    """``text`` as a double-quoted Python string literal (repr would pick single quotes)."""
    return json.dumps(text, ensure_ascii=False)


def first_notebook_cell(wheels_url: str, wheel: str | None = None) -> str:
    """The code cell each downloaded notebook starts with: install mnisttutor, pick a device.

    ``mnisttutor`` is not on PyPI; the site publishes its wheel under ``wheels/``. The cell
    downloads that one file, ``wheels_url`` + ``wheel`` (by default :func:`wheel_name`), and
    has pip install it: a package index is asked for mnisttutor's dependencies only, so
    no package of the same name published there can be installed in its place (``pip
    install mnisttutor --find-links`` would take a higher version from the index). The
    environment variable ``MNISTTUTOR_WHEELS`` replaces ``wheels_url``, for a copy of the
    site elsewhere. A ``file:`` address is a local build's folder. When the wheel cannot
    be had, the cell says so in one sentence: an exception whose ``_render_traceback_``
    (IPython's hook for how an exception is shown) is that sentence alone.
    """
    kind = "local" if wheels_url.startswith("file:") else "published"
    unreachable = _f_string(UNREACHABLE[kind], indent=" " * 12)
    return f"""\
# Setup: install mnisttutor, the package these walkthroughs use, then choose a device.
# mnisttutor is not on PyPI: this cell downloads its one file (a wheel) by its exact
# address on the website that made this notebook, so no other package called mnisttutor
# can take its place, and pip installs it with what it needs from PyPI (PyTorch, pandas
# and others). Set MNISTTUTOR_WHEELS to another folder of wheels to install from there.
import importlib.util
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

WHEELS = os.environ.get("MNISTTUTOR_WHEELS", {_quoted(wheels_url)})
WHEEL = {_quoted(wheel or wheel_name())}


class SetupError(Exception):
    def _render_traceback_(self):  # how Jupyter shows it: the sentence, no traceback
        return [str(self)]


if importlib.util.find_spec("mnisttutor") is None:
    url = WHEELS.rstrip("/") + "/" + WHEEL
    wheel = Path(tempfile.mkdtemp()) / WHEEL
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            wheel.write_bytes(response.read())
    except OSError as error:
        reason = getattr(error, "reason", error)
        raise SetupError(
{unreachable}
        ) from None
    print("Installing mnisttutor, PyTorch and the rest: this can take a few minutes.")
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        print(pip.stdout + pip.stderr)
        raise SetupError("pip could not install mnisttutor: see its message above.")
    importlib.invalidate_caches()

from mnisttutor import best_device, describe_device

device = best_device()
print(describe_device(device))"""


def build_wheel(out_dir: Path) -> Path:
    """Build mnisttutor's wheel into ``out_dir``, with a page that links it for readers.

    Skipped when the wheel is newer than every source file, so a rebuild with nothing
    changed stays fast. Returns the wheel's path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = [ROOT / "pyproject.toml", *sorted((ROOT / "mnisttutor").rglob("*.py"))]
    newest_source = max(path.stat().st_mtime for path in sources)
    wheels = sorted(out_dir.glob("mnisttutor-*.whl"))
    if not (wheels and wheels[-1].stat().st_mtime >= newest_source):
        for old in wheels:
            old.unlink()
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out_dir, ROOT],
            check=True,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
        wheels = sorted(out_dir.glob("mnisttutor-*.whl"))
    (wheel,) = wheels
    if wheel.name != wheel_name():  # the name every setup cell asks for
        raise RuntimeError(f"built {wheel.name}, but the notebooks install {wheel_name()}")
    name = html.escape(wheel.name)
    (out_dir / "index.html").write_text(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>mnisttutor wheels</title>"
        '<link rel="icon" href="../_static/favicon.svg"></head>\n'  # the site's icon
        "<body><main><h1>mnisttutor wheels</h1>\n"  # <main>: a landmark for screen readers
        f'<p><a href="{name}">{name}</a></p></main></body></html>\n'
    )
    return wheel


if __name__ == "__main__":  # the nox docs session, before sphinx-build
    build_wheel(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs/_build/extra/wheels")
