"""Sessions that each do one job: ``nox -s tests``, ``nox -s docs``, ``nox -s lint``.

Where uv is installed (``pip install "nox[uv]"``), nox makes the environments with it:
uv downloads PyTorch once into its cache and links the same files into every session's
environment, so the sessions share one install instead of each getting its own. Without
uv they are plain venvs and pip installs PyTorch into each.

Which PyTorch: on Linux, PyPI's ``torch`` is a CUDA build of several GB, of no use on a
machine without an NVIDIA GPU. Where PyTorch's own package index can be reached, the
sessions let it choose instead: uv with ``UV_TORCH_BACKEND=auto`` (the CPU build
without an NVIDIA GPU, the CUDA build for the driver with one), pip with the CPU index
on Linux without an NVIDIA GPU. Where it can't, they say so in one line and take PyPI's.
``MNISTTUTOR_TORCH`` overrides the choice (see ``torch_choice``).

On the project's build machines, ``.ci/run`` forces plain venvs and sets
``PIP_CONSTRAINT=.ci/constraints.txt``, so that every pip takes the CPU build of PyTorch
that lies on their disk (uv would not find it there).
"""

import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.default_venv_backend = "uv|venv"  # uv where installed, else venv
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
TORCH_INDEX = "https://download.pytorch.org/whl"  # PyTorch's own: /cpu, /cu128, ...
TORCH_SETTING = "MNISTTUTOR_TORCH"


def torch_choice(setting, *, uv, linux, nvidia_gpu, index_reachable):
    """Where the sessions take PyTorch from: ``(source, line to say)``.

    ``source`` is ``None`` for PyPI's default ``torch``, else the name of a build on
    PyTorch's own index (``"cpu"``, ``"cu128"``, ...), or ``"auto"`` for uv to choose
    (``UV_TORCH_BACKEND=auto``). ``setting`` is ``MNISTTUTOR_TORCH``: ``"pypi"``, a
    build's name, or ``"auto"`` (also when empty), which asks ``index_reachable()``
    only where the answer matters.
    """
    setting = (setting or "auto").strip().lower()
    if setting == "pypi":
        return None, None
    if setting != "auto":
        return setting, None  # as asked: a failure to reach the index is the answer
    if not uv and not (linux and not nvidia_gpu):
        return None, None  # pip: PyPI's torch is already the right build here
    if not index_reachable():
        return None, (
            f"PyTorch's own index ({TORCH_INDEX}) can't be reached, so PyTorch comes from "
            f"PyPI (on Linux a CUDA build of several GB); {TORCH_SETTING}=pypi skips this check."
        )
    return ("auto" if uv else "cpu"), None


def _index_reachable():
    try:
        with urllib.request.urlopen(
            urllib.request.Request(f"{TORCH_INDEX}/cpu/torch/", method="HEAD"), timeout=15
        ):
            return True
    except (OSError, ValueError):  # no network, no name, refused, timed out, HTTP errors
        return False


def _nvidia_gpu():
    """Whether an NVIDIA GPU and its driver are here (as uv's own detection looks)."""
    if Path("/proc/driver/nvidia/version").is_file():
        return True
    smi = shutil.which("nvidia-smi")
    return bool(smi) and subprocess.run([smi], capture_output=True, check=False).returncode == 0


_CHOSEN = {}  # per backend, once per nox run: the sessions share the answer and its line


def _torch_source(session):
    uv = session.venv_backend == "uv"
    if uv and "UV_TORCH_BACKEND" in os.environ and TORCH_SETTING not in os.environ:
        return os.environ["UV_TORCH_BACKEND"]  # uv's own setting, already given
    if uv not in _CHOSEN:
        source, line = torch_choice(
            os.environ.get(TORCH_SETTING),
            uv=uv,
            linux=sys.platform.startswith("linux"),
            nvidia_gpu=_nvidia_gpu(),
            index_reachable=_index_reachable,
        )
        if line:
            session.warn(line)
        _CHOSEN[uv] = source
    return _CHOSEN[uv]


def _install(session, *groups):
    """The package and ``groups``, with PyTorch from where ``torch_choice`` says."""
    source = _torch_source(session)
    env = None
    if source and session.venv_backend == "uv":
        env = {"UV_TORCH_BACKEND": source}  # uv takes torch, and only torch, by it
    elif source:  # pip: PyTorch first, from its index; then "-e ." finds it installed
        session.install("torch", "--index-url", f"{TORCH_INDEX}/{source}")
    session.install("-e", ".", env=env)
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group), env=env)


@nox.session
def tests(session):
    """Run the test suite (the full-data tests need $MNISTTUTOR_DATA_DIR or the cache)."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def docs(session):
    """Build the website into docs/_build/html, running every example; warnings are errors.

    Extra arguments go to sphinx-build, e.g. ``nox -s docs -- -D
    sphinx_gallery_conf.filename_pattern=plot_03`` to run only matching examples.
    """
    _install(session, "docs")
    session.install("pip")  # builds the wheel below; a uv-made environment has no pip
    # The package's wheel, which the site publishes for its notebooks to install.
    session.run("python", "docs/gallery_setup.py", "docs/_build/extra/wheels")
    session.run(
        "sphinx-build",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-d",
        "docs/_build/doctrees",  # not inside html/, which is what gets published
        "docs",
        "docs/_build/html",
        *session.posargs,
    )


@nox.session
def notebook(session):
    """Check the built site's downloads, and run one of its notebooks in a fresh environment.

    Needs ``nox -s docs`` first. Takes minutes: the notebook installs PyTorch. These are the
    tests in ``tests/site`` marked ``notebook``; like ``site``, it fails where the site is
    missing.
    """
    _install(session, "test")  # tests/conftest.py imports mnisttutor
    session.run(
        "pytest",
        "-m",
        "notebook",
        "tests/site",
        *session.posargs,
        env={"MNISTTUTOR_REQUIRE_SITE": "1"},
    )


@nox.session
def lint(session):
    """Check style and common mistakes with ruff."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def site(session):
    """Check the built site (``nox -s docs`` first): headless Chromium, axe, vnu, linkchecker.

    Needs Debian's chromium, chromium-driver and a Java runtime, and npm (``.ci/run`` installs
    them). The site tests fail here, rather than skip, when the site or a tool is missing.
    Runs ``tests/site`` but for the ``notebook`` tests (``nox -s notebook`` runs those).
    """
    _install(session, "test", "site")
    # The pinned axe-core and vnu.jar; vnu-jar's install script would fetch a Java runtime.
    session.run("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", external=True)
    session.run(
        "pytest",
        *(session.posargs or ["tests/site"]),
        env={"MNISTTUTOR_REQUIRE_SITE": "1"},
    )
