"""Saving and loading a network's weights: a state_dict, never pickled code."""

from __future__ import annotations

import torch

from .classifier import Classifier
from .errors import InvalidDataError
from .refined import RefinedClassifier

# A key only the refined network's state_dict has: its second Linear layer, after the
# LayerNorm (the tutorial's network has model.0 and model.2 only).
REFINED_KEY = "model.3.weight"


def save_classifier(classifier: Classifier | RefinedClassifier, path) -> None:
    """Save the network's weights (a state_dict, no pickled code) to ``path``."""
    torch.save(classifier.state_dict(), path)


def load_classifier(path, *, lr: float | None = None) -> Classifier | RefinedClassifier:
    """The network saved at ``path``: a :class:`Classifier` or a :class:`RefinedClassifier`.

    Loads with ``weights_only=True``, so a file cannot run code. Which network it is,
    and its hidden-layer size, are read from the weights.

    Parameters
    ----------
    path
        A file written by :func:`save_classifier`.
    lr
        The learning rate of the loaded network's optimiser, for further training
        (default: the network's own default).

    Raises
    ------
    InvalidDataError
        The file is not a saved state_dict of either network.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from mnisttutor import Classifier, RefinedClassifier, load_classifier, save_classifier
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "weights.pt"
    >>> save_classifier(Classifier(hidden=32), path)
    >>> load_classifier(path).model[0].out_features
    32
    >>> save_classifier(RefinedClassifier(), path)
    >>> type(load_classifier(path)).__name__
    'RefinedClassifier'
    >>> folder.cleanup()
    """
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # torch raises many types for a file that is not its own
        raise InvalidDataError(
            f"{path}: cannot be loaded as saved weights ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}). Save them with "
            "save_classifier() or `python -m mnisttutor train --save PATH`."
        ) from exc
    try:
        hidden = state["model.0.weight"].shape[0]
        network = RefinedClassifier if REFINED_KEY in state else Classifier
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise _not_classifier_weights(path, exc) from exc
    classifier = network(hidden) if lr is None else network(hidden, lr=lr)
    try:
        classifier.load_state_dict(state)
    except RuntimeError as exc:  # names or shapes that this network does not have
        raise _not_classifier_weights(path, exc) from exc
    return classifier


def _not_classifier_weights(path, exc: Exception) -> InvalidDataError:
    return InvalidDataError(
        f"{path}: holds no Classifier or RefinedClassifier weights ({exc}). Save them with "
        "save_classifier() or `python -m mnisttutor train --save PATH`."
    )
