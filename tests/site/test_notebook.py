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
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sitecheck
from fresh_jupyter import RUN_NOTEBOOKS, fresh_jupyter

pytestmark = pytest.mark.notebook

ROOT = sitecheck.ROOT
PAGE = "auto_examples/05_mnist_data/plot_01_exploring_with_pandas.html"
# Printed by that walkthrough when it runs on the full data.
EXPECTED_OUTPUT = ("60,000 rows x 785 columns", "row 4 has label 9")


def _download_notebook(site: str, folder: Path) -> Path:
    with urllib.request.urlopen(site + PAGE, timeout=30) as response:
        page = response.read().decode()
    (link,) = set(re.findall(r'href="(?!https?:)([^"]+\.ipynb)"', page))  # not Colab's
    path = folder / Path(link).name
    with urllib.request.urlopen(urllib.parse.urljoin(site + PAGE, link), timeout=30) as response:
        path.write_bytes(response.read())
    return path


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
    python, run = fresh_jupyter(tmp_path, gone)
    executed = tmp_path / "executed.ipynb"
    run([python, "-c", RUN_NOTEBOOKS, "--allow-errors", notebook, executed])

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
    python, run = fresh_jupyter(tmp_path, site + "wheels/")

    executed = tmp_path / "executed.ipynb"
    run([python, "-c", RUN_NOTEBOOKS, notebook, executed])

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
