"""The tutorial's ``MnistDataset``: a CSV of labelled digits, read once into tensors."""

from __future__ import annotations

import copy
import os
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from torch.utils.data import Dataset

from .classifier import IMAGE_SIDE, NUM_CLASSES
from .csvfiles import CSV_COLUMNS
from .errors import InvalidDataError

MAX_PIXEL = 255


def _bad_rows(mask: np.ndarray) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(r) for r in rows[:5])
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}{', ...' if len(rows) > 5 else ''}"


def _validated(df: pd.DataFrame, source: str) -> np.ndarray:
    """The frame as an (N, 785) int64 array, or an error that names the offending rows."""
    if df.shape[1] != CSV_COLUMNS:
        raise InvalidDataError(
            f"{source}: has {df.shape[1]} columns, expected {CSV_COLUMNS} "
            "(a label, then 28 x 28 = 784 pixel values). Is it MNIST in the tutorial's format?"
        )
    numeric = df
    if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in df.dtypes):
        numeric = df.apply(pd.to_numeric, errors="coerce")
    missing = numeric.isna().to_numpy()
    if missing.any():
        raise InvalidDataError(
            f"{source}: {_bad_rows(missing.any(axis=1))} (counting from 0) has empty or "
            f"non-numeric cells, or fewer than {CSV_COLUMNS} values. Fix or remove it, or "
            "write the file again with mnisttutor.fetch_mnist_csv()."
        )
    values = numeric.to_numpy()
    labels, pixels = values[:, :1], values[:, 1:]
    checks = (
        (values != np.round(values), "holds values that are not whole numbers"),
        ((labels < 0) | (labels >= NUM_CLASSES), f"has a label outside 0-{NUM_CLASSES - 1}"),
        ((pixels < 0) | (pixels > MAX_PIXEL), f"has pixels outside 0-{MAX_PIXEL}"),
    )
    for bad, what in checks:
        rows = bad.any(axis=1)
        if rows.any():
            raise InvalidDataError(f"{source}: {_bad_rows(rows)} (counting from 0) {what}.")
    return values.astype(np.int64)


class MnistDataset(Dataset):
    """The tutorial's dataset: ``ds[i]`` is ``(label, image_values, image_target)``.

    Reads a CSV with no header, one image per row, the label first and then 784 pixel
    values 0-255. Unlike the original, which went through pandas for every item, the
    tensors are built once here, so indexing costs a view, not a DataFrame lookup.

    Parameters
    ----------
    csv_file
        Path of ``mnist_train.csv`` or ``mnist_test.csv`` (see :func:`fetch_mnist_csv`).

    Attributes
    ----------
    data_df : pandas.DataFrame
        The CSV as read, as in the tutorial.
    labels : torch.Tensor
        (N,) int64 labels.
    images : torch.Tensor
        (N, 784) float32 pixel values scaled to [0, 1].
    targets : torch.Tensor
        (N, 10) float32 one-hot targets.

    Raises
    ------
    InvalidDataError
        The CSV has the wrong number of columns, non-numeric cells, labels outside 0-9
        or pixels outside 0-255. The message names the row.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mnisttutor import MnistDataset
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "two.csv"
    >>> _ = path.write_text("7" + ",0" * 784 + "\\n" + "2" + ",255" * 784 + "\\n")
    >>> ds = MnistDataset(path)
    >>> len(ds)
    2
    >>> label, image_values, image_target = ds[1]
    >>> label, float(image_values.max()), image_target.argmax().item()
    (2, 1.0, 2)
    >>> folder.cleanup()
    """

    def __init__(self, csv_file: str | os.PathLike):
        try:
            self.data_df = pd.read_csv(csv_file, header=None)
        except pd.errors.ParserError as exc:
            # pandas says "Expected 785 fields in line 3, saw 786"; name the row as we do.
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            where = (
                f"row {int(found[2]) - 1} (counting from 0) has {found[3]} values, "
                f"expected {found[1]}"
                if found
                else str(exc).strip()
            )
            raise InvalidDataError(f"{csv_file}: {where}.") from exc
        except (pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise InvalidDataError(f"{csv_file}: not a CSV of MNIST rows: {exc}") from exc
        values = _validated(self.data_df, str(csv_file))
        self.labels = torch.from_numpy(np.ascontiguousarray(values[:, 0]))  # (N,)
        # Same float32 division as the original's per-item FloatTensor(...) / 255.0.
        # pandas hands back columns (Fortran order): make each image one contiguous row,
        # or every per-image step strides across the whole dataset (10-20x slower).
        pixels = np.ascontiguousarray(values[:, 1:], dtype=np.float32)
        self.images = torch.from_numpy(pixels) / 255.0  # (N, 784)
        self.targets = torch.nn.functional.one_hot(self.labels, NUM_CLASSES).float()  # (N, 10)

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[int, torch.Tensor, torch.Tensor]:
        return int(self.labels[index]), self.images[index], self.targets[index]

    def head(self, n: int) -> MnistDataset:
        """The first ``n`` items, as a dataset of their own (views, not copies).

        For training on part of the data: every training function takes it as it takes
        the whole dataset.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from mnisttutor import MnistDataset
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = pathlib.Path(folder.name) / "three.csv"
        >>> _ = path.write_text("".join(f"{d}" + ",0" * 784 + "\\n" for d in (7, 2, 1)))
        >>> first = MnistDataset(path).head(2)
        >>> len(first), first.labels.tolist(), tuple(first.images.shape), len(first.data_df)
        (2, [7, 2], (2, 784), 2)
        >>> folder.cleanup()
        """
        if not 0 < n <= len(self):
            raise ValueError(f"head(n) needs 0 < n <= {len(self)} (the dataset's size), got {n}")
        first = copy.copy(self)
        first.data_df = self.data_df.iloc[:n]
        first.labels, first.images = self.labels[:n], self.images[:n]
        first.targets = self.targets[:n]
        return first

    def to(self, device: torch.device | str) -> MnistDataset:
        """Move the images and targets to ``device`` (labels stay on the CPU); returns self."""
        self.images = self.images.to(device)
        self.targets = self.targets.to(device)
        return self

    def plot_image(self, index: int, ax: plt.Axes | None = None) -> plt.Axes:
        """Draw image ``index`` in blues, titled with its label, as the tutorial does."""
        if ax is None:
            _, ax = plt.subplots()
        pixels = self.images[index].reshape(IMAGE_SIDE, IMAGE_SIDE).cpu().numpy()
        ax.imshow(pixels, interpolation="none", cmap="Blues")
        ax.set_title(f"label = {int(self.labels[index])}")
        return ax
