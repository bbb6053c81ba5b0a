"""The tutorial's network: 784-200-10 with sigmoids, BCELoss and SGD, trained per sample."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

import pandas as pd
import torch
from torch import nn

from .data import IMAGE_PIXELS, NUM_CLASSES
from .errors import InvalidDataError, MnistTutorError

log = logging.getLogger(__name__)

HIDDEN_NODES = 200
LEARNING_RATE = 0.01
PROGRESS_EVERY = 10  # record the loss every this many training steps
LOG_EVERY = 10_000  # the tutorial printed the counter this often
LEAKY_RELU_SLOPE = 0.02  # the refined network's slope for negative inputs

# The tutorial author's refined network (see refined_classifier); the learning rate is
# the caller's.
REFINED_OPTIONS = {
    "activation": partial(nn.LeakyReLU, LEAKY_RELU_SLOPE),
    "output_activation": nn.Sigmoid,  # BCELoss needs outputs in (0, 1)
    "layer_norm": True,
    # fused: Adam's whole update in one kernel rather than several small operations per
    # tensor; the same maths, and on the CPU it makes mini-batch training markedly faster.
    "optimiser": partial(torch.optim.Adam, fused=True),
}


class Classifier(nn.Module):
    """The tutorial's MNIST classifier, with its choices as overridable defaults.

    ``train(inputs, targets)`` runs one training step, as in the tutorial. Called as
    ``train()`` or ``train(mode)`` it is :meth:`torch.nn.Module.train`, so ``.eval()``
    and ``.train(False)`` keep working (the original's override broke them).

    Parameters
    ----------
    hidden
        Nodes in the hidden layer.
    activation
        Factory for the activation after each layer, e.g. ``nn.Sigmoid`` or
        ``functools.partial(nn.LeakyReLU, 0.02)``.
    output_activation
        Factory for the activation after the output layer, if not ``activation``:
        keep ``nn.Sigmoid`` there when the hidden layer uses LeakyReLU, so BCELoss
        gets values in (0, 1).
    layer_norm
        Normalise the hidden layer's outputs with ``nn.LayerNorm`` (after its
        activation), as the tutorial author's refined network does.
    loss_function
        The loss module.
    optimiser
        Optimiser class, called with the parameters and ``lr``.
    lr
        Learning rate.

    Attributes
    ----------
    counter : int
        Training steps taken.
    progress : list of float
        The loss every 10 steps.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import Classifier
    >>> _ = torch.manual_seed(0)
    >>> C = Classifier()
    >>> C.train(torch.rand(784), torch.eye(10)[3])
    >>> C.counter
    1
    >>> C.eval().training
    False

    See Also
    --------
    refined_classifier : The tutorial author's refined network (LeakyReLU, LayerNorm,
        Adam).
    """

    def __init__(
        self,
        hidden: int = HIDDEN_NODES,
        *,
        activation: type[nn.Module] = nn.Sigmoid,
        output_activation: type[nn.Module] | None = None,
        layer_norm: bool = False,
        loss_function: nn.Module | None = None,
        optimiser: type[torch.optim.Optimizer] = torch.optim.SGD,
        lr: float = LEARNING_RATE,
    ):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(IMAGE_PIXELS, hidden),
            activation(),
            *([nn.LayerNorm(hidden)] if layer_norm else []),
            nn.Linear(hidden, NUM_CLASSES),
            (activation if output_activation is None else output_activation)(),
        )
        self.loss_function = nn.BCELoss() if loss_function is None else loss_function
        self.optimiser = optimiser(self.parameters(), lr=lr)
        self.counter = 0
        self.progress: list[float] = []

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model(inputs)

    def train(self, *args, **kwargs):
        """``train(inputs, targets)``: one training step; ``train(mode=True)``: the mode."""
        if len(args) + len(kwargs) == 2:
            return self.train_step(*args, **kwargs)
        return super().train(*args, **kwargs)

    def train_step(self, inputs: torch.Tensor, targets: torch.Tensor) -> None:
        """One step of gradient descent on ``inputs`` against ``targets``."""
        outputs = self.forward(inputs)
        loss = self.loss_function(outputs, targets)
        self.counter += 1
        if self.counter % PROGRESS_EVERY == 0:
            self.progress.append(loss.item())
        if self.counter % LOG_EVERY == 0:
            log.info("counter = %d", self.counter)
        # Gradients accumulate across backward() calls: clear the last step's first.
        self.optimiser.zero_grad()
        loss.backward()
        self.optimiser.step()

    def plot_progress(self, ax=None):
        """Plot the recorded loss as the tutorial does; returns the matplotlib Axes."""
        df = pd.DataFrame(self.progress, columns=["loss"])
        return df.plot(
            ax=ax,
            ylim=(0, 1.0),
            figsize=(16, 8),
            alpha=0.1,
            marker=".",
            grid=True,
            yticks=(0, 0.25, 0.5),
        )


def refined_classifier(*, lr: float, **options) -> Classifier:
    """The tutorial author's refined network: LeakyReLU, LayerNorm and Adam.

    A :class:`Classifier` whose hidden layer uses ``LeakyReLU(0.02)`` followed by
    ``LayerNorm``, whose output layer keeps the sigmoid (BCELoss needs values in
    (0, 1)), and which learns with Adam instead of SGD. The learning rate has no
    default: the walkthroughs use 0.001, the benchmark 0.003 with ``lr_decay``.

    Parameters
    ----------
    lr
        Adam's learning rate.
    **options
        Any other :class:`Classifier` option, such as ``hidden`` or ``loss_function``.

    Raises
    ------
    MnistTutorError
        ``options`` sets ``activation``, ``output_activation``, ``layer_norm`` or
        ``optimiser``, which make this network what it is.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import refined_classifier
    >>> _ = torch.manual_seed(0)
    >>> C = refined_classifier(lr=0.001)
    >>> [type(m).__name__ for m in C.model]
    ['Linear', 'LeakyReLU', 'LayerNorm', 'Linear', 'Sigmoid']
    >>> type(C.optimiser).__name__, C.optimiser.defaults["lr"]
    ('Adam', 0.001)
    >>> refined_classifier(lr=0.001, hidden=32).model[2].normalized_shape
    (32,)
    """
    fixed = sorted(REFINED_OPTIONS.keys() & options.keys())
    if fixed:
        raise MnistTutorError(
            f"refined_classifier() sets {', '.join(fixed)} itself; for a network with "
            "other choices, call Classifier(...) with all of them instead."
        )
    return Classifier(**REFINED_OPTIONS, lr=lr, **options)


@torch.no_grad()
def evaluate(model: nn.Module, dataset) -> float:
    """Accuracy of ``model`` on ``dataset``, in one batched pass.

    Counts the same hits as the tutorial's item-by-item loop (the first largest output
    is the answer), without a Python loop.

    Parameters
    ----------
    model
        Maps (N, 784) inputs to (N, 10) outputs.
    dataset
        An :class:`~mnisttutor.MnistDataset` (anything with ``images`` and ``labels``).

    Examples
    --------
    >>> import torch
    >>> from types import SimpleNamespace
    >>> from mnisttutor import Classifier, evaluate
    >>> data = SimpleNamespace(images=torch.rand(5, 784), labels=torch.tensor([0, 1, 2, 3, 4]))
    >>> 0.0 <= evaluate(Classifier(), data) <= 1.0
    True
    """
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters()).device
        outputs = model(dataset.images.to(device))  # (N, 10)
        hits = outputs.argmax(dim=1).cpu() == dataset.labels
    finally:
        model.train(was_training)
    return hits.sum().item() / len(hits)


def save_classifier(classifier: Classifier, path) -> None:
    """Save the network's weights (a state_dict, no pickled code) to ``path``."""
    torch.save(classifier.state_dict(), path)


def load_classifier(
    path, *, build: Callable[..., Classifier] = Classifier, **options
) -> Classifier:
    """A :class:`Classifier` with the weights saved at ``path``.

    Loads with ``weights_only=True``, so a file cannot run code. The hidden-layer size
    is read from the weights; the network is made by ``build(hidden=..., **options)``.

    Parameters
    ----------
    path
        A file written by :func:`save_classifier`.
    build
        Makes the network to load into: :class:`Classifier`, or
        :func:`refined_classifier` for the refined network.
    **options
        The options the saved network was made with, for ``build``.

    Raises
    ------
    InvalidDataError
        The file is not a saved Classifier state_dict.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mnisttutor.classifier import Classifier, save_classifier, load_classifier
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "weights.pt"
    >>> save_classifier(Classifier(hidden=32), path)
    >>> load_classifier(path).model[0].out_features
    32

    The refined network loads into a refined network:

    >>> from mnisttutor.classifier import refined_classifier
    >>> save_classifier(refined_classifier(lr=0.001), path)
    >>> type(load_classifier(path, build=refined_classifier, lr=0.001).model[1]).__name__
    'LeakyReLU'
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
    except (KeyError, TypeError, AttributeError, IndexError) as exc:
        raise _not_classifier_weights(path, exc) from exc
    classifier = build(hidden=hidden, **options)  # a wrong option is the caller's error
    try:
        classifier.load_state_dict(state)
    except RuntimeError as exc:  # names or shapes that this network does not have
        raise _not_classifier_weights(path, exc) from exc
    return classifier


def _not_classifier_weights(path, exc: Exception) -> InvalidDataError:
    return InvalidDataError(
        f"{path}: holds no Classifier weights ({exc}). Save them with "
        "save_classifier() or `python -m mnisttutor train --save PATH`."
    )
