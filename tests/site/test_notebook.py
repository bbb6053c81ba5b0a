"""A notebook downloaded from the built site runs on its own, outside this repository.

Serves the built site on 127.0.0.1, downloads a walkthrough's notebook from it the way a
reader would, and executes it in a fresh virtual environment in a temporary folder, with
only Jupyter installed: the notebook's first cell must install mnisttutor (the wheel file
the site publishes under ``wheels/``, by its address) and everything it needs. With that
address gone, the first cell must say so in one sentence, with no traceback, and install
nothing. Run it after ``nox -s docs`` with ``nox -s notebook`` (``-m notebook``). Slow
(minutes): it installs PyTorch into the new environment.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.parse
import urllib.request
import venv
from functools import partial
from pathlib import Path

import pytest
import sitecheck

pytestmark = pytest.mark.notebook

ROOT = sitecheck.ROOT
PAGE = "auto_examples/05_mnist_data/plot_01_exploring_with_pandas.html"
# Printed by that walkthrough when it runs on the full data.
EXPECTED_OUTPUT = ("60,000 rows x 785 columns", "row 4 has label 9")
RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
allow_errors = len(sys.argv) > 3
NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=allow_errors).execute()
nbformat.write(nb, sys.argv[2])
"""


def _download_notebook(site: str, folder: Path) -> Path:
    with urllib.request.urlopen(site + PAGE, timeout=30) as response:
        page = response.read().decode()
    (link,) = set(re.findall(r'href="(?!https?:)([^"]+\.ipynb)"', page))  # not Colab's
    path = folder / Path(link).name
    with urllib.request.urlopen(urllib.parse.urljoin(site + PAGE, link), timeout=30) as response:
        path.write_bytes(response.read())
    return path


def _jupyter_requirements() -> list[str]:
    import tomllib  # Python 3.11+; here, not at the top, so 3.10 can still collect this file

    groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
    return groups["notebook"]


def _fresh_jupyter(tmp_path: Path, wheels: str):
    """A new virtual environment with only Jupyter's kernel and runner, and how to run in it.

    Returns its Python and a ``subprocess.run`` with its environment: ``wheels`` as
    ``MNISTTUTOR_WHEELS``, and nothing of this machine's mnisttutor or Jupyter settings.
    """
    assert not tmp_path.resolve().is_relative_to(ROOT)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "MNISTTUTOR_", "JUPYTER"))
    }
    env.update(
        MNISTTUTOR_WHEELS=wheels,
        MNISTTUTOR_CACHE_DIR=str(tmp_path / "cache"),  # nothing cached: CSVs written anew
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        HOME=str(tmp_path / "home"),  # no user site-packages or Jupyter config from the host
    )
    if os.environ.get("MNISTTUTOR_DATA_DIR"):
        env["MNISTTUTOR_DATA_DIR"] = os.environ["MNISTTUTOR_DATA_DIR"]
    constraints = ROOT / ".ci" / "constraints.txt"
    if constraints.is_file():  # the CPU build of PyTorch, on the project's machines
        env.setdefault("PIP_CONSTRAINT", str(constraints))
    run = partial(subprocess.run, env=env, cwd=tmp_path, check=True, timeout=1500)
    run([python, "-m", "pip", "install", "--quiet", *_jupyter_requirements()])
    check = run(
        [python, "-c", "import importlib.util as u; print(u.find_spec('mnisttutor'))"],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "None", "mnisttutor must not be installed before the notebook"
    return python, run


def _site_page(site_dir: Path) -> None:
    if not (site_dir / PAGE).is_file():
        pytest.fail(f"{site_dir / PAGE} is missing: build the site first with `nox -s docs`.")


def test_with_the_wheel_unreachable_the_setup_cell_says_one_sentence(
    site_dir, site_server, tmp_path
):
    _site_page(site_dir)
    notebook = _download_notebook(site_server.url, tmp_path)
    setup_only = json.loads(notebook.read_text())
    setup_only["cells"] = [next(c for c in setup_only["cells"] if c["cell_type"] == "code")]
    notebook.write_text(json.dumps(setup_only))
    gone = site_server.url + "no-such-folder/"  # the site answers 404, as after a move
    python, run = _fresh_jupyter(tmp_path, gone)
    executed = tmp_path / "executed.ipynb"
    run([python, "-c", RUN_NOTEBOOK, notebook, executed, "allow errors"])

    (cell,) = json.loads(executed.read_text())["cells"]
    (error,) = [o for o in cell["outputs"] if o["output_type"] == "error"]
    assert error["ename"] == "SetupError"
    (shown,) = error["traceback"]  # what Jupyter shows in place of a traceback
    # The sentence of a published site's notebook, or of a local build's (tests/test_docs_setup.py
    # checks both), with the reason the server gave.
    published = re.search(r'<link rel="canonical"', (site_dir / "index.html").read_text())
    verb = "download" if published else "read"
    assert re.match(rf"Could not {verb} mnisttutor from {gone}mnisttutor-\S+\.whl \(.+\): ", shown)
    assert ("local build" in shown) != bool(published), shown
    assert "run this cell again" in shown, shown
    assert "Traceback" not in json.dumps(cell["outputs"])
    installed = run(
        [python, "-c", "import importlib.util as u; print(u.find_spec('mnisttutor'))"],
        capture_output=True,
        text=True,
    )
    assert installed.stdout.strip() == "None"


def test_downloaded_notebook_runs_in_a_fresh_environment(site_dir, site_server, tmp_path):
    _site_page(site_dir)
    site, first_request = site_server.url, len(site_server.requested)
    notebook = _download_notebook(site, tmp_path)
    python, run = _fresh_jupyter(tmp_path, site + "wheels/")

    executed = tmp_path / "executed.ipynb"
    run([python, "-c", RUN_NOTEBOOK, notebook, executed])

    requested = site_server.requested[first_request:]
    (wheel,) = (site_dir / "wheels").glob("mnisttutor-*.whl")
    assert f"/wheels/{wheel.name}" in requested, requested  # the site's own file
    code_cells = [c for c in json.loads(executed.read_text())["cells"] if c["cell_type"] == "code"]
    printed = [  # what each cell printed (stderr, e.g. library warnings, left out)
        "".join("".join(o["text"]) for o in c["outputs"] if o.get("name") == "stdout")
        for c in code_cells
    ]
    installing, device = printed[0].splitlines()
    assert installing.startswith("Installing mnisttutor"), printed[0]
    assert re.match(r"[A-Z]+: \S", device), printed[0]  # the setup cell names the device
    for expected in EXPECTED_OUTPUT:
        assert expected in "".join(printed)
    images = sum("image/png" in o.get("data", {}) for c in code_cells for o in c["outputs"])
    assert images >= 3
