"""A new virtual environment with only Jupyter's kernel and runner, outside the repository:
where the ``notebook`` tests run the site's notebooks as a reader's machine would.
"""

from __future__ import annotations

import os
import subprocess
import venv
from functools import partial
from pathlib import Path

import sitecheck

# Runs notebooks: arguments in pairs, each notebook and where to write it executed. A cell
# that raises stops the run, but in a notebook whose name ends "_mistakes.ipynb" (its
# learner's cells raise by design) or where "--allow-errors" comes first.
RUN_NOTEBOOKS = """
import sys, nbformat
from nbclient import NotebookClient
allow_all = sys.argv[1] == "--allow-errors"
paths = sys.argv[2:] if allow_all else sys.argv[1:]
for source, target in zip(paths[::2], paths[1::2]):
    nb = nbformat.read(source, as_version=4)
    allow_errors = allow_all or source.endswith("_mistakes.ipynb")
    NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=allow_errors).execute()
    nbformat.write(nb, target)
"""


def fresh_jupyter(tmp_path: Path, wheels: str, timeout: float = 1500):
    """Make the environment in ``tmp_path``; its Python, and a ``subprocess.run`` with its
    environment variables that checks the exit status and stops after ``timeout`` s.

    The environment has ``wheels`` as ``MNISTTUTOR_WHEELS`` (where a notebook's first cell
    installs mnisttutor from) and nothing of this machine's mnisttutor or Jupyter settings.
    """
    import tomllib  # Python 3.11+; here, not at the top, so 3.10 can still collect the tests

    assert not tmp_path.resolve().is_relative_to(sitecheck.ROOT)
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
    constraints = sitecheck.ROOT / ".ci" / "constraints.txt"
    if constraints.is_file():  # the CPU build of PyTorch, on the project's machines
        env.setdefault("PIP_CONSTRAINT", str(constraints))
    run = partial(subprocess.run, env=env, cwd=tmp_path, check=True, timeout=timeout)
    pyproject = tomllib.loads((sitecheck.ROOT / "pyproject.toml").read_text())
    run([python, "-m", "pip", "install", "--quiet", *pyproject["dependency-groups"]["notebook"]])
    check = run(
        [python, "-c", "import importlib.util as u; print(u.find_spec('mnisttutor'))"],
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip() == "None", "mnisttutor must not be installed before the notebook"
    return python, run
