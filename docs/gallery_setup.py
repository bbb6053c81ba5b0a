"""Build-time helpers for the gallery, kept out of conf.py so they can be tested and named.

sphinx-gallery takes its hooks as fully qualified names (``"gallery_setup.reset_state"``),
which keeps its configuration picklable for parallel builds and its md5 checks stable.
"""

from __future__ import annotations

import html
import os
import random
import subprocess
import sys
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


def first_notebook_cell(wheels_url: str) -> str:
    """The code cell each downloaded notebook starts with: install mnisttutor, pick a device.

    ``mnisttutor`` is not on PyPI; the site publishes its wheel under ``wheels/``. The
    environment variable ``MNISTTUTOR_WHEELS`` overrides where pip looks for it.
    """
    return f"""\
# Setup: install mnisttutor from the website that published this notebook (it is not
# on PyPI), then choose the best device. Set MNISTTUTOR_WHEELS to install from elsewhere.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("mnisttutor") is None:
    wheels = os.environ.get("MNISTTUTOR_WHEELS", {wheels_url!r})
    subprocess.check_call(
        [sys.executable, "-m", "pip", "install", "--quiet", "mnisttutor", "--find-links", wheels]
    )
    importlib.invalidate_caches()

from mnisttutor import best_device, describe_device

device = best_device()
print(describe_device(device))"""


def build_wheel(out_dir: Path) -> Path:
    """Build mnisttutor's wheel into ``out_dir`` with an index page pip can read.

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
