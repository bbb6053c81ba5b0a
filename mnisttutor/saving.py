"""Saving and loading a network's weights: tensors only, never pickled code.

Two file formats, told apart by their first bytes, not their names:

- PyTorch's (``torch.save`` of a state_dict), read with ``weights_only=True``;
- safetensors (``.safetensors``): an 8-byte little-endian header length, a JSON header
  naming each tensor's dtype, shape and byte range, then the raw little-endian data.
  The "Train it yourself" page writes this format in plain JavaScript, so a network
  trained in the browser loads here.
"""

from __future__ import annotations

from pathlib import Path

import torch

from .classifier import Classifier
from .errors import InvalidDataError, MnistTutorError
from .refined import RefinedClassifier

# A key only the refined network's state_dict has: its second Linear layer, after the
# LayerNorm (the tutorial's network has model.0 and model.2 only).
REFINED_KEY = "model.3.weight"
SAFETENSORS_SUFFIX = ".safetensors"
HOW_TO_SAVE = (
    "Save weights with save_classifier(), the command `python -m mnisttutor train --save "
    'PATH`, or the "Download your network" button of the Train it yourself page.'
)


def save_classifier(
    classifier: Classifier | RefinedClassifier, path, *, metadata: dict[str, str] | None = None
) -> None:
    """Save the network's weights to ``path``, with no pickled code.

    A path ending in ``.safetensors`` gets the safetensors format, with ``metadata``
    (strings) in its header; any other, PyTorch's state_dict file (no metadata).
    """
    if Path(path).suffix == SAFETENSORS_SUFFIX:
        from safetensors.torch import save_file

        state = {name: value.contiguous() for name, value in classifier.state_dict().items()}
        save_file(state, path, metadata=metadata)
    elif metadata:
        raise ValueError(f"metadata is kept in {SAFETENSORS_SUFFIX} files only, not {path}")
    else:
        torch.save(classifier.state_dict(), path)


def _read_state(path) -> dict:
    """The tensors in ``path``, by name, from either format."""
    with Path(path).open("rb") as file:
        head = file.read(9)
    try:
        if len(head) == 9 and head[8:9] == b"{":  # a safetensors header's opening brace
            try:
                from safetensors.torch import load_file
            except ImportError as exc:
                raise MnistTutorError(
                    f"{path} is a safetensors file: install the safetensors package "
                    "(pip install safetensors) to read it."
                ) from exc
            return load_file(path, device="cpu")
        return torch.load(path, map_location="cpu", weights_only=True)
    except MnistTutorError:
        raise
    except Exception as exc:  # each library raises many types for a file not its own
        # The library's own error (e.g. "IndexError: pop from empty list") says nothing
        # to the reader; it stays in the traceback as this error's cause.
        raise InvalidDataError(
            f"{path}: cannot be loaded as saved weights: it is damaged, truncated or not a "
            f"weights file. {HOW_TO_SAVE}"
        ) from exc


def _check_state(path, state, expected: dict) -> None:
    """One sentence on the first way ``state`` differs from ``expected`` (a state_dict)."""
    missing = [name for name in expected if name not in state]
    extra = [name for name in state if name not in expected]
    if missing or extra:
        names = f"has no {missing[0]}" if missing else f"holds {extra[0]}, which it has not"
        raise _not_classifier_weights(path, f"the tutorial's network {names}")
    for name, value in expected.items():
        found = state[name]
        if not (isinstance(found, torch.Tensor) and found.is_floating_point()):
            raise _not_classifier_weights(path, f"{name} is not a tensor of floats")
        if found.shape != value.shape:
            raise _not_classifier_weights(
                path,
                f"{name} has shape {tuple(found.shape)} where the network needs "
                f"{tuple(value.shape)}",
            )
        if not torch.isfinite(found).all():
            raise InvalidDataError(
                f"{path}: {name} holds NaN or infinite weights, so the training diverged; "
                "train again with a smaller learning rate."
            )


def load_classifier(path, *, lr: float | None = None) -> Classifier | RefinedClassifier:
    """The network saved at ``path``: a :class:`Classifier` or a :class:`RefinedClassifier`.

    Reads PyTorch's files with ``weights_only=True`` and safetensors files (such as the
    "Train it yourself" page's download), so a file cannot run code. Which network it
    is, and its hidden-layer size, are read from the weights.

    Parameters
    ----------
    path
        A file written by :func:`save_classifier` or downloaded from the page.
    lr
        The learning rate of the loaded network's optimiser, for further training
        (default: the network's own default).

    Raises
    ------
    InvalidDataError
        The file is damaged, truncated, holds another network, weights of the wrong
        shapes, or NaN or infinite weights; the message says which, in one sentence.

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
    >>> save_classifier(Classifier(hidden=20), path.with_suffix(".safetensors"))
    >>> load_classifier(path.with_suffix(".safetensors")).model[0].out_features
    20
    >>> folder.cleanup()
    """
    state = _read_state(path)
    if not isinstance(state, dict):
        raise _not_classifier_weights(path, f"it holds a {type(state).__name__}, not tensors")
    first = state.get("model.0.weight")
    if not (isinstance(first, torch.Tensor) and first.dim() == 2 and first.shape[0] > 0):
        raise _not_classifier_weights(path, "it has no first layer model.0.weight")
    hidden = first.shape[0]
    network = RefinedClassifier if REFINED_KEY in state else Classifier
    classifier = network(hidden) if lr is None else network(hidden, lr=lr)
    _check_state(path, state, classifier.state_dict())
    classifier.load_state_dict(state)
    return classifier


def _not_classifier_weights(path, why: str) -> InvalidDataError:
    return InvalidDataError(
        f"{path}: holds no Classifier or RefinedClassifier weights, as {why}. {HOW_TO_SAVE}"
    )
