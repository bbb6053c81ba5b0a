"""Training loops over a whole dataset."""

from __future__ import annotations

import sys

from tqdm.auto import tqdm

from .classifier import Classifier
from .dataset import MnistDataset


def train_per_sample(
    classifier: Classifier, dataset: MnistDataset, epochs: int = 3, *, progress: bool | None = None
) -> Classifier:
    """The tutorial's loop: ``epochs`` passes, one image at a time, in the data's order.

    The dataset's tensors must already be on the classifier's device
    (``dataset.to(device)``).

    Examples
    --------
    >>> from mnisttutor import Classifier, MnistDataset, fetch_mnist_csv, train_per_sample
    >>> C = train_per_sample(Classifier(), MnistDataset(fetch_mnist_csv().train))  # doctest: +SKIP
    """
    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(total=epochs * len(dataset), unit="img", disable=not show) as bar:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}")
            for image, target in zip(dataset.images, dataset.targets, strict=True):
                classifier.train(image, target)
                bar.update()
    return classifier
