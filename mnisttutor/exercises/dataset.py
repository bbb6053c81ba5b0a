"""Exercises of section 5: the tutorial's ``MnistDataset``, ``__len__`` and ``__getitem__``."""

from __future__ import annotations

import atexit
import functools
import numbers
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from ..classifier import IMAGE_PIXELS, NUM_CLASSES
from ..dataset import MnistDataset
from ._core import Exercise, Incorrect, NotAttempted, call, is_blank

CHECK_ROWS = 200  # images in the check's own small CSV: enough to catch a mistake, fast
CHECKED_ITEMS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 57, 123, CHECK_ROWS - 1)


@functools.cache
def check_csv(labels: tuple[int, ...] | None = None, seed: int = 0) -> Path:
    """A small CSV in the tutorial's format (a label, then 784 pixels 0-255) for the checks.

    Its pixels are random, with every label 0-9 and the extremes 0 and 255 present. Pass
    ``labels`` (``CHECK_ROWS`` of them) to choose the labels.
    """
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(CHECK_ROWS, IMAGE_PIXELS))
    pixels[:, 0], pixels[:, 1] = 0, 255
    if labels is None:
        labels = np.arange(CHECK_ROWS) * 7 % NUM_CLASSES  # every digit, not in order
    folder = Path(tempfile.mkdtemp(prefix="mnisttutor-check-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "check.csv"
    np.savetxt(path, np.column_stack([labels, pixels]), fmt="%d", delimiter=",")
    return path


def _make(dataset_class, path):
    if not isinstance(dataset_class, type):
        raise Incorrect(f"MnistDataset is a {type(dataset_class).__name__}, not a class.")
    return call(f"{dataset_class.__name__}(csv_file)", dataset_class, path)


def _check_len(dataset_class):
    dataset = _make(dataset_class, check_csv())
    n = call("__len__", dataset.__len__)
    if is_blank(n):
        raise NotAttempted
    if n is None:
        raise Incorrect("__len__ returned None: it must return the number of images.")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise Incorrect(f"__len__ returned a {type(n).__name__}, not a whole number.")
    if n == IMAGE_PIXELS + 1:
        raise Incorrect("__len__ counts the columns (label and pixels), not the rows (images).")
    if n == CHECK_ROWS - 1:
        raise Incorrect("__len__ is one short: the file has no header row to leave out.")
    if n != CHECK_ROWS:
        raise Incorrect(f"__len__ returned {n} for a file of {CHECK_ROWS} images.")


def _check_image(image, reference: torch.Tensor) -> None:
    if isinstance(image, np.ndarray):
        raise Incorrect("the image values are a numpy array: make them a PyTorch tensor.")
    if not isinstance(image, torch.Tensor):
        raise Incorrect(f"the image values are a {type(image).__name__}, not a PyTorch tensor.")
    if image.shape == (IMAGE_PIXELS + 1,):
        raise Incorrect("the image values have 785 numbers: they include the label column.")
    if image.shape != reference.shape:
        raise Incorrect(f"the image values have shape {tuple(image.shape)}, not (784,).")
    if image.dtype != torch.float32:
        raise Incorrect(f"the image values are {image.dtype}: the network works in float32.")
    if image.max() > 1:
        raise Incorrect("the pixel values are not scaled to 0-1: they still go up to 255.")
    if not torch.allclose(image, reference, atol=1e-6):
        raise Incorrect("the image values are not the row's pixels divided by 255.")


def _check_target(target, label: int) -> None:
    if not isinstance(target, torch.Tensor):
        raise Incorrect(f"the target is a {type(target).__name__}, not a PyTorch tensor.")
    if target.shape != (NUM_CLASSES,):
        raise Incorrect(
            f"the target has shape {tuple(target.shape)}: it must match the network's 10 "
            "outputs, shape (10,)."
        )
    if not target.is_floating_point():
        raise Incorrect(f"the target is {target.dtype}: BCELoss needs floating point numbers.")
    if sorted(target.tolist()) != [0.0] * (NUM_CLASSES - 1) + [1.0]:
        raise Incorrect("the target should be all zeros but for a single 1.")
    if int(target.argmax()) != label:
        raise Incorrect(
            f"the one-hot 1 is at the wrong index: at {int(target.argmax())} for an image "
            f"labelled {label}."
        )


def _check_item(item, expected) -> None:
    if is_blank(item):
        raise NotAttempted
    if not isinstance(item, tuple | list) or len(item) != 3:
        raise Incorrect(
            "__getitem__ must return three things, the label, the image values and the "
            f"target; it returned {type(item).__name__ if item is not None else 'None'}."
        )
    label, image, target = item
    if isinstance(label, torch.Tensor) and label.numel() == 1:
        label = label.item()
    if not isinstance(label, numbers.Integral) or isinstance(label, bool):
        raise Incorrect(f"the first thing returned is a {type(label).__name__}, not the label.")
    if int(label) != expected[0]:
        raise Incorrect(f"item {expected[3]} has label {label}, not the label in its row.")
    _check_image(image, expected[1])
    _check_target(target, expected[0])


def _check_getitem(dataset_class):
    path = check_csv()
    dataset, reference = _make(dataset_class, path), MnistDataset(path)
    for index in CHECKED_ITEMS:
        item = call(f"__getitem__({index})", dataset.__getitem__, index)
        _check_item(item, (*reference[index], index))


dataset_len = Exercise(
    "dataset_len",
    "Write __len__: the number of images in the CSV.",
    "return ____  # how many images: one per row of the table",
    "exercises.dataset_len.check(MnistDataset)",
    "MnistDataset = exercises.dataset_len.yours_or_ours(MnistDataset)",
    "The table self.data_df has one row per image; Python's len() counts rows.",
    "return len(self.data_df)",
    _check_len,
    lambda dataset_class: MnistDataset,
)
dataset_getitem = Exercise(
    "dataset_getitem",
    "Write __getitem__: the label, the pixels scaled to 0-1, and the one-hot target.",
    "label = ____  # column 0 of row `index`\n"
    "target = ____  # 10 zeros, with a 1.0 at index `label`\n"
    "image_values = ____  # columns 1 to 784 of the row, as a float32 tensor, scaled to 0-1",
    "exercises.dataset_getitem.check(MnistDataset)",
    "MnistDataset = exercises.dataset_getitem.yours_or_ours(MnistDataset)",
    "self.data_df.iloc[row, column] reads the table; torch.zeros(10) makes the target to "
    "set one place of; pixels run 0-255.",
    "label = self.data_df.iloc[index, 0]\n"
    "target = torch.zeros(10)\n"
    "target[label] = 1.0\n"
    "pixels = self.data_df.iloc[index, 1:].to_numpy()\n"
    "image_values = torch.tensor(pixels, dtype=torch.float32) / 255.0",
    _check_getitem,
    lambda dataset_class: MnistDataset,
)
