"""Puts the network that the gallery exported into the site, for the "Draw a digit" page.

``examples/09_refining/plot_04_saving_and_loading.py`` trains the refined classifier and
writes it with :func:`mnisttutor.browser.export_network` into its working directory,
which sphinx-gallery sets to the example's own folder. The file stays there (git ignores
it) next to the example that made it, so a rebuild in which sphinx-gallery skips the
unchanged example still finds the network that example's page reports; a clean build
runs the example and writes it afresh. When the build finishes, it is copied to
``_static/draw/`` beside ``draw.js``; the page's stylesheet is added to that page only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

EXPORT = Path(__file__).resolve().parents[2] / "examples" / "09_refining" / "mnist-network.js"
TARGET = Path("_static") / "draw" / "mnist-network.js"


def copy_network(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if not EXPORT.is_file():
        logger.warning(
            "draw page: %s is missing, so the page cannot run the network. Build the "
            "example that writes it: remove docs/auto_examples/09_refining and build again.",
            EXPORT,
        )
        return
    target = Path(app.outdir) / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXPORT, target)


def add_stylesheet(app, pagename, templatename, context, doctree) -> None:
    if pagename == "draw":  # only the page that uses it
        app.add_css_file("draw/draw.css")


def setup(app):
    app.connect("html-page-context", add_stylesheet)
    app.connect("build-finished", copy_network)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
