"""An "Open in Colab" button beside each walkthrough's and each workbook's notebook download.

Colab opens a notebook only from a stable address, such as a file on a GitHub branch
(``https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/PATH``). The build
writes every converted notebook to ``notebooks/<section>/<name>.ipynb``
(``notebook_markdown.py``); the Pages workflow pushes that folder to a branch, and sets
``colab_github`` (``MNISTTUTOR_COLAB_GITHUB``, ``owner/repo/branch``) to it, which
turns the buttons on. Unset, as in a local build, there are no buttons, so none is broken.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.errors import ConfigError, ExtensionError

GITHUB = re.compile(r"(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/(?P<branch>[\w./-]+)")
PAGE = re.compile(r"(?P<gallery>[^/]+)/(?P<section>[^/]+)/(?P<name>plot_\w+)")
# sphinx-gallery's download button for the notebook, and workbooks.py's for the workbook.
DOWNLOAD = re.compile(
    r"^(?P<indent>[ \t]*)\.\. container:: sphx-glr-download "
    r"sphx-glr-download-(?P<kind>jupyter|workbook)\n\n[ \t]+:download:`[^`]*`\n",
    re.M,
)
BUTTON = (
    "\n{indent}.. container:: sphx-glr-download sphx-glr-download-colab\n\n"
    "{indent}  `Open in Colab: {file} <{url}>`__\n"
)


def colab_url(github: str, notebook: str) -> str:
    """The Colab address of ``notebook`` (``section/name.ipynb``) on the branch ``github``.

    ``github`` is ``owner/repo/branch``; the branch holds the site's ``notebooks/`` folder
    at its root.

    Examples
    --------
    >>> colab_url("ada/mnisttutor/notebooks", "01_learning/plot_01_km.ipynb")
    'https://colab.research.google.com/github/ada/mnisttutor/blob/notebooks/01_learning/plot_01_km.ipynb'
    """
    match = GITHUB.fullmatch(github)
    if match is None:
        raise ValueError(
            f"colab_github={github!r}: expected owner/repo/branch, e.g. ada/mnisttutor/notebooks"
        )
    if not re.fullmatch(r"[\w.-]+/[\w.-]+\.ipynb", notebook):
        raise ValueError(f"{notebook!r}: expected section/name.ipynb")
    owner, repo, branch = match.group("owner", "repo", "branch")
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/{notebook}"


def add_buttons(app, docname, source):
    """Put a Colab button after the page's notebook download, and its workbook's."""
    github, page = app.config.colab_github, PAGE.fullmatch(docname)
    if not github or page is None:
        return
    folder = Path(app.srcdir) / page["gallery"] / page["section"]

    def button(match: re.Match) -> str:
        suffix = "_workbook" if match["kind"] == "workbook" else ""
        file = f"{page['name']}{suffix}.ipynb"
        if not (folder / file).is_file():
            raise ExtensionError(f"{docname}: links {file}, which is not in {folder}")
        url = colab_url(github, f"{page['section']}/{file}")
        return match[0] + BUTTON.format(indent=match["indent"], file=file, url=url)

    source[0] = DOWNLOAD.sub(button, source[0])


def check_config(app, config):
    if config.colab_github:
        try:
            colab_url(config.colab_github, "section/name.ipynb")
        except ValueError as error:
            raise ConfigError(f"{error} (set by MNISTTUTOR_COLAB_GITHUB)") from error


def setup(app):
    app.add_config_value("colab_github", "", "env", types=[str])
    app.connect("config-inited", check_config)
    app.connect("source-read", add_buttons, priority=600)  # after workbooks.py's button
    app.add_css_file("colab.css")  # docs/_static
    return {"parallel_read_safe": True, "parallel_write_safe": True}
