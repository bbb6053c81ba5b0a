"""Puts what the "Train it yourself" page needs into the site, when the build finishes.

- ``_static/train/kernel.wasm``: ``kernel.wat`` (beside it, in the repo and the site)
  compiled by wasmtime's ``wat2wasm``.
- ``_static/train/initial-network.js``: section 6's initial weights, written by
  :func:`mnisttutor.browser.export_network`. They are made as
  ``examples/06_classifier/plot_02_training_and_testing.py`` makes its network: that
  page's own ``torch.manual_seed(N)`` before ``Classifier()``, read from its source so
  the two cannot drift apart. A reader who trains 3 epochs gets that page's accuracy.
  With them goes that page's reference run, as the page's own run recorded it: the loss
  of its 3-epoch network ``C3`` every 10 steps, its test ``score``, and the test score of
  its one-epoch network ``C`` (the tutorial's loop), which the page prints after its
  first epoch.
  :func:`record_reference`, a sphinx-gallery image scraper that saves no image, writes
  them beside the example's other records in the gallery folder when the page runs, so
  a build that reuses the page's output reuses the run they came from.
- ``_static/train/mnist/*.gz``: the four MNIST files from the build's data folder
  (:func:`mnisttutor.fetch_mnist`: ``$MNISTTUTOR_DATA_DIR`` or the cache), gzip'd as
  published. The page fetches them only when the reader presses Train.

Each page's own styles are added to that page only: the train page's, and the
kilometres-to-miles widget's on section 1's first page.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
from pathlib import Path

import numpy as np
from sphinx.util import logging

logger = logging.getLogger(__name__)

DOCS = Path(__file__).resolve().parents[1]
KERNEL = DOCS / "_static" / "train" / "kernel.wat"
SECTION_6 = DOCS.parent / "examples" / "06_classifier" / "plot_02_training_and_testing.py"
TARGET = Path("_static") / "train"
REFERENCE = DOCS / "auto_examples" / "06_classifier" / f"{SECTION_6.stem}.reference.json"
# The names section 6's page gives its 3-epoch network, its test score and test set.
REFERENCE_NAMES = ("C3", "score", "mnist_test_dataset")
# ...and its network trained for one epoch by the tutorial's loop, scored after it.
ONE_EPOCH_NAME = "C"
KM_PAGE = "auto_examples/01_learning_from_examples/plot_01_km_to_miles"
# The seed set last before the page's first `C = Classifier()` (no arguments: the defaults).
SEEDED_CLASSIFIER = re.compile(
    r"torch\.manual_seed\((?P<seed>\d+)\)(?:(?!torch\.manual_seed).)*?\bC = Classifier\(\)",
    re.DOTALL,
)


def section_6_seed(source: str) -> int:
    """The seed ``source`` (section 6's page) sets before making its Classifier()."""
    match = SEEDED_CLASSIFIER.search(source)
    if match is None:
        raise ValueError(
            f"train page: {SECTION_6.name} no longer seeds torch before `C = Classifier()`, "
            "so the page cannot start from its initial weights. Update SEEDED_CLASSIFIER "
            f"in {Path(__file__).name} to match how it makes its network."
        )
    return int(match["seed"])


def record_reference(block, block_vars, gallery_conf) -> str:
    """Save section 6's reference run once its page has scored its 3-epoch network.

    A sphinx-gallery image scraper (it runs after each code block) that saves no image.
    """
    if Path(block_vars["target_file"]).name != SECTION_6.name:
        return ""
    found = [block_vars["example_globals"].get(name) for name in REFERENCE_NAMES]
    if any(value is None for value in found):
        return ""  # not scored yet
    network, score, test = found
    count = len(test)
    right = round(score * count)
    scored = [{"steps": network.counter, "right": right}]
    one_epoch = block_vars["example_globals"].get(ONE_EPOCH_NAME)
    if one_epoch is not None and 0 < getattr(one_epoch, "counter", 0) < network.counter:
        scored.insert(0, {"steps": one_epoch.counter, "right": _right_answers(one_epoch, test)})
    reference = {
        "losses": network.progress,  # the loss every 10 steps, as the page plots it
        "right": right,
        "count": count,
        "hidden": network.model[0].out_features,
        "lr": network.optimiser.defaults["lr"],
        "steps": network.counter,
        "scored": scored,  # the test images right after each number of steps it was scored at
    }
    Path(block_vars["target_file"]).with_name(REFERENCE.name).write_text(json.dumps(reference))
    return ""


_scored: dict[tuple[int, int], int] = {}  # (network, its steps) -> right, for this build


def _right_answers(network, test) -> int:
    """How many of the test images ``network`` gets right, as the page's scoring loop
    counts them (:func:`mnisttutor.evaluate` counts the same). Scored once per build: the
    scraper runs after every later block of the page."""
    from mnisttutor import evaluate

    key = (id(network), network.counter)
    if key not in _scored:
        _scored[key] = round(evaluate(network, test) * len(test))
    return _scored[key]


def read_reference() -> dict | None:
    """The reference run for the page: losses as base64 float32, as the weights are."""
    if not REFERENCE.is_file():
        return None
    reference = json.loads(REFERENCE.read_text())
    losses = np.asarray(reference["losses"], dtype="<f4")
    reference["losses"] = base64.b64encode(losses.tobytes()).decode("ascii")
    return reference


def export_initial_network(folder: Path, files: list[dict]) -> Path:
    import torch

    from mnisttutor import Classifier
    from mnisttutor.browser import export_network

    seed = section_6_seed(SECTION_6.read_text())
    with torch.random.fork_rng():  # leave the build's own random state as it was
        torch.manual_seed(seed)
        classifier = Classifier()
    return export_network(
        classifier.model,
        folder / "initial-network.js",
        seed=seed,
        lr=classifier.optimiser.defaults["lr"],
        files=files,
        reference=read_reference(),
        description=f"Section 6's initial weights: torch.manual_seed({seed}), then Classifier().",
    )


def publish_mnist(folder: Path) -> list[dict]:
    """Copy the four MNIST files into ``folder``, gzip'd; returns the page's list of them."""
    from mnisttutor import fetch_mnist

    folder.mkdir(parents=True, exist_ok=True)
    listed = []
    for key, path in fetch_mnist(progress=False)._asdict().items():
        name = path.name if path.suffix == ".gz" else f"{path.name}.gz"
        target = folder / name
        if not (target.is_file() and target.stat().st_mtime >= path.stat().st_mtime):
            if path.suffix == ".gz":
                shutil.copyfile(path, target)
            else:  # a raw copy in the data folder: the page reads gzip
                target.write_bytes(gzip.compress(path.read_bytes(), mtime=0))
        listed.append({"key": key, "path": f"mnist/{name}", "bytes": target.stat().st_size})
    return listed


def build_train_page(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    import wasmtime

    folder = Path(app.outdir) / TARGET
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.wasm").write_bytes(wasmtime.wat2wasm(KERNEL.read_text()))
    if not REFERENCE.is_file():
        logger.warning(
            "train page: no reference run at %s; run section 6's page (%s), which must "
            "keep the names %s for its 3-epoch network, score and test set.",
            REFERENCE,
            SECTION_6.name,
            ", ".join(REFERENCE_NAMES),
        )
    export_initial_network(folder, publish_mnist(folder / "mnist"))


def add_stylesheets(app, pagename, templatename, context, doctree) -> None:
    if pagename == "train":  # only the pages that use them
        app.add_css_file("draw/draw.css")
        app.add_css_file("train/train.css")
    elif pagename == KM_PAGE:
        app.add_css_file("km/km.css")


def setup(app):
    app.connect("html-page-context", add_stylesheets)
    app.connect("build-finished", build_train_page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
