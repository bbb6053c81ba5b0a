"""Puts the network that the gallery exported into the site, for the "Draw a digit" page.

``examples/09_refining/plot_04_saving_and_loading.py`` trains the refined classifier and
writes it with :func:`mnisttutor.browser.export_network` into its working directory,
which sphinx-gallery sets to the example's own folder. The file stays there (git ignores
it) next to the example that made it, so a rebuild in which sphinx-gallery skips the
unchanged example still finds the network that example's page reports; a clean build
runs the example and writes it afresh. Should the file be gone while the example's page
is current, the example's stored checksum is removed before the gallery is generated,
so sphinx-gallery runs it again. When the build finishes, it is copied to
``_static/draw/`` beside ``draw.js``; the page's stylesheet is added to that page only.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[1]
EXPORT = DOCS.parent / "examples" / "09_refining" / "mnist-network.js"
EXPORTER = "plot_04_saving_and_loading.py"  # the example that writes EXPORT
TARGET = Path("_static") / "draw" / "mnist-network.js"


def rerun_exporter_if_export_missing(app) -> None:
    """Make sphinx-gallery run the exporting example when its output is missing."""
    gallery_dir = DOCS / app.config.sphinx_gallery_conf["gallery_dirs"] / EXPORT.parent.name
    checksum = gallery_dir / f"{EXPORTER}.md5"  # sphinx-gallery skips examples it matches
    if not EXPORT.is_file() and checksum.is_file():
        logger.info("draw page: %s is missing; running %s again", EXPORT.name, EXPORTER)
        checksum.unlink()


def copy_network(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if not EXPORT.is_file():
        logger.warning(
            "draw page: %s is missing, so the page cannot run the network. It is written "
            "by examples/09_refining/%s: build with that example included.",
            EXPORT,
            EXPORTER,
        )
        return
    target = Path(app.outdir) / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(EXPORT, target)


def add_stylesheet(app, pagename, templatename, context, doctree) -> None:
    if pagename == "draw":  # only the page that uses it
        app.add_css_file("draw/draw.css")


def setup(app):
    # Before sphinx-gallery generates the gallery (its handler has the default priority).
    app.connect("builder-inited", rerun_exporter_if_export_missing, priority=400)
    app.connect("html-page-context", add_stylesheet)
    app.connect("build-finished", copy_network)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
