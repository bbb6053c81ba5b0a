"""The tutorial's network: 784-200-10 with sigmoids, BCELoss and SGD, trained per sample."""

from __future__ import annotations

import logging

import pandas as pd
import torch
from torch import nn

log = logging.getLogger(__name__)

IMAGE_SIDE = 28
IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE  # the network's inputs: one per pixel
NUM_CLASSES = 10  # its outputs: one per digit
HIDDEN_NODES = 200
LEARNING_RATE = 0.01
PROGRESS_EVERY = 10  # record the loss every this many training steps
LOG_EVERY = 10_000  # the tutorial printed the counter this often


class Classifier(nn.Module):
    """The tutorial's MNIST classifier: sigmoid layers, BCELoss and plain SGD.

    ``train(inputs, targets)`` runs one training step, as in the tutorial. Called as
    ``train()`` or ``train(mode)`` it is :meth:`torch.nn.Module.train`, so ``.eval()``
    and ``.train(False)`` keep working (the original's override broke them).

    Parameters
    ----------
    hidden
        Nodes in the hidden layer.
    lr
        The SGD learning rate.

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
    RefinedClassifier : The tutorial author's refined network (LeakyReLU, LayerNorm,
        Adam).
    """

    def __init__(self, hidden: int = HIDDEN_NODES, *, lr: float = LEARNING_RATE):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(IMAGE_PIXELS, hidden),
            nn.Sigmoid(),
            nn.Linear(hidden, NUM_CLASSES),
            nn.Sigmoid(),
        )
        self.loss_function = nn.BCELoss()
        self.optimiser = torch.optim.SGD(self.parameters(), lr=lr)
        self.counter = 0
        self.progress: list[float] = []

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.model(inputs)

    def train(self, *args, **kwargs):
        """``train(inputs, targets)``: one training step; ``train(mode=True)``: the mode."""
        if len(args) + len(kwargs) == 2:
            return self.train_step(*args, **kwargs)
        # nn.Module's, named (not super()) so that RefinedClassifier can share this method
        return nn.Module.train(self, *args, **kwargs)

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
            # The tutorial's size for a figure of its own; pandas would resize a given ax's too.
            figsize=(16, 8) if ax is None else None,
            alpha=0.1,
            marker=".",
            grid=True,
            yticks=(0, 0.25, 0.5),
        )


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
