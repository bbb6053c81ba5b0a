"""Sessions that each do one job: ``nox -s tests``, ``nox -s docs``, ``nox -s lint``.

Where uv is installed (``pip install "nox[uv]"``), nox makes the environments with it:
uv downloads PyTorch once into its cache and links the same files into every session's
environment, so the sessions share one install instead of each getting its own. Without
uv they are plain venvs and pip installs PyTorch into each.

On the project's build machines, ``.ci/run`` forces plain venvs and sets
``PIP_CONSTRAINT=.ci/constraints.txt``, so that every pip takes the CPU build of PyTorch
that lies on their disk (uv would not find it there).
"""

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.default_venv_backend = "uv|venv"  # uv where installed, else venv
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def _install(session, *groups):
    session.install("-e", ".")
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


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
