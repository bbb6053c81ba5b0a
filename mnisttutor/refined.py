"""The tutorial author's refined network: LeakyReLU, LayerNorm and Adam."""

from __future__ import annotations

import torch
from torch import nn

from .classifier import HIDDEN_NODES, IMAGE_PIXELS, NUM_CLASSES, Classifier

LEAKY_RELU_SLOPE = 0.02  # the slope for negative inputs
REFINED_LEARNING_RATE = 0.001  # Adam's usual rate; the walkthroughs use it


class RefinedClassifier(nn.Module):
    """The refined 784-200-10 network, trained as the tutorial's :class:`Classifier` is.

    The hidden layer uses ``LeakyReLU(0.02)`` followed by ``LayerNorm``; the output
    layer keeps the sigmoid, since BCELoss needs values in (0, 1); it learns with Adam
    instead of SGD. ``train(inputs, targets)``, ``counter``, ``progress`` and
    ``plot_progress`` are the Classifier's own.

    Parameters
    ----------
    hidden
        Nodes in the hidden layer.
    lr
        Adam's learning rate.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor import RefinedClassifier
    >>> _ = torch.manual_seed(0)
    >>> C = RefinedClassifier(lr=0.001)
    >>> [type(m).__name__ for m in C.model]
    ['Linear', 'LeakyReLU', 'LayerNorm', 'Linear', 'Sigmoid']
    >>> C.train(torch.rand(64, 784), torch.eye(10)[torch.arange(64) % 10])
    >>> C.counter
    1
    """

    def __init__(self, hidden: int = HIDDEN_NODES, *, lr: float = REFINED_LEARNING_RATE):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(IMAGE_PIXELS, hidden),
            nn.LeakyReLU(LEAKY_RELU_SLOPE),
            nn.LayerNorm(hidden),
            nn.Linear(hidden, NUM_CLASSES),
            nn.Sigmoid(),
        )
        self.loss_function = nn.BCELoss()
        # fused: Adam's whole update in one kernel rather than several small operations
        # per tensor; the same maths, and markedly faster mini-batch training on a CPU.
        self.optimiser = torch.optim.Adam(self.parameters(), lr=lr, fused=True)
        self.counter = 0
        self.progress: list[float] = []

    # The same step and bookkeeping as the tutorial's network: shared, not copied.
    forward = Classifier.forward
    train = Classifier.train
    train_step = Classifier.train_step
    plot_progress = Classifier.plot_progress
