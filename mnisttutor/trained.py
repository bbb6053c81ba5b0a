"""The refined network that section 9 and the drawing page share: one recipe, trained once.

Several pages need the same trained :class:`~mnisttutor.RefinedClassifier`: the page
that builds it, the page about its mistakes, the page that saves it and exports it for
the browser. :func:`refined_network` trains it by ``RECIPE`` the first time, saves
its weights and its training time in the cache folder, and loads them on every later
call, so every page shows the same network with the same score.

The saved file's name carries a checksum of the recipe, the training data, the PyTorch
version and this package's network and training code, so a change to any of them
trains it afresh rather than loading a network the current code would not make.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from .data import cache_dir
from .errors import InvalidDataError
from .refined import REFINED_LEARNING_RATE, RefinedClassifier
from .saving import load_classifier, save_classifier
from .training import train_minibatch

log = logging.getLogger(__name__)

# The one recipe: Adam's usual learning rate, mini-batches of 64, four passes.
RECIPE = {"lr": REFINED_LEARNING_RATE, "batch_size": 64, "epochs": 4, "seed": 0}
# The code that decides what the trained network is.
SOURCES = ("classifier.py", "refined.py", "training.py", "trained.py")


@dataclass(frozen=True)
class TrainedNetwork:
    """A trained refined network and how it was trained."""

    classifier: RefinedClassifier
    seconds: float  # training time, measured when it was trained
    trained_now: bool  # False: loaded, trained by an earlier call (an earlier page)
    recipe: dict


def recipe_key(dataset) -> str:
    """A checksum of what the trained network depends on, for the saved file's name.

    Examples
    --------
    >>> import torch
    >>> from types import SimpleNamespace
    >>> from mnisttutor.trained import recipe_key
    >>> a = SimpleNamespace(images=torch.zeros(4, 784), targets=torch.zeros(4, 10))
    >>> b = SimpleNamespace(images=torch.ones(4, 784), targets=torch.zeros(4, 10))
    >>> recipe_key(a) == recipe_key(a), recipe_key(a) == recipe_key(b)
    (True, False)
    """
    digest = hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode())
    digest.update(torch.__version__.encode())
    package = Path(__file__).resolve().parent
    for name in SOURCES:
        digest.update((package / name).read_bytes())
    for tensor in (dataset.images, dataset.targets):
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(f"{tensor.double().sum().item():.6e}".encode())
    return digest.hexdigest()[:16]


def train_refined(dataset) -> RefinedClassifier:
    """A :class:`~mnisttutor.RefinedClassifier` trained on ``dataset`` by ``RECIPE``."""
    torch.manual_seed(RECIPE["seed"])
    classifier = RefinedClassifier(lr=RECIPE["lr"])
    train_minibatch(
        classifier,
        dataset,
        epochs=RECIPE["epochs"],
        batch_size=RECIPE["batch_size"],
        seed=RECIPE["seed"],
        progress=False,
    )
    return classifier


def refined_network(dataset, folder: str | Path | None = None) -> TrainedNetwork:
    """The refined network trained on ``dataset`` by ``RECIPE``: trained once, then loaded.

    Parameters
    ----------
    dataset
        The training images and targets (an :class:`~mnisttutor.MnistDataset`), on the CPU.
    folder
        Where the trained weights are kept (default: ``networks`` in
        :func:`~mnisttutor.cache_dir`).

    Examples
    --------
    >>> import tempfile, torch
    >>> from types import SimpleNamespace
    >>> from mnisttutor.trained import refined_network
    >>> targets = torch.eye(10)[torch.arange(128) % 10]
    >>> data = SimpleNamespace(images=torch.rand(128, 784), targets=targets)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     first, again = refined_network(data, folder), refined_network(data, folder)
    >>> first.trained_now, again.trained_now, again.seconds == first.seconds
    (True, False, True)
    >>> torch.equal(first.classifier(data.images), again.classifier(data.images))
    True
    """
    folder = Path(folder) if folder is not None else cache_dir() / "networks"
    key = recipe_key(dataset)
    weights, record = folder / f"refined-{key}.pt", folder / f"refined-{key}.json"
    if weights.is_file() and record.is_file():
        try:
            classifier = load_classifier(weights, lr=RECIPE["lr"])
        except InvalidDataError as exc:
            raise InvalidDataError(
                f"{exc} Remove {weights} and the refined network will be trained again."
            ) from exc
        seconds = json.loads(record.read_text())["seconds"]
        return TrainedNetwork(classifier.eval(), seconds, False, dict(RECIPE))
    log.info("training the refined network (%s), once", RECIPE)
    start = time.perf_counter()
    classifier = train_refined(dataset)
    seconds = time.perf_counter() - start
    folder.mkdir(parents=True, exist_ok=True)
    partial = weights.with_suffix(".pt.part")  # never leave half a file under the real name
    save_classifier(classifier, partial)
    partial.replace(weights)
    record.write_text(
        json.dumps({"seconds": seconds, "recipe": RECIPE, "torch": torch.__version__})
    )
    return TrainedNetwork(classifier.eval(), seconds, True, dict(RECIPE))
