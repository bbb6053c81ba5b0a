"""Exercises of section 5: the tutorial's ``MnistDataset``, ``__len__`` and ``__getitem__``."""

from __future__ import annotations

import contextlib
import functools
import io
import tempfile
from pathlib import Path

import numpy as np
import torch

from ..classifier import IMAGE_PIXELS, NUM_CLASSES
from ..dataset import MnistDataset
from ..profiling import OriginalMnistDataset
from ._core import Incorrect, NotAttempted, call, is_blank, number, plain_tensor
from ._exercise import Exercise

CHECK_ROWS = 200  # images in the check's own small CSV: enough to catch a mistake, fast
CHECKED_ITEMS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 57, 123, CHECK_ROWS - 1)


@functools.cache
def _csv_bytes(labels: tuple[int, ...] | None = None, seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(CHECK_ROWS, IMAGE_PIXELS))
    pixels[:, 0], pixels[:, 1] = 0, 255
    if labels is None:
        labels = np.arange(CHECK_ROWS) * 7 % NUM_CLASSES  # every digit, not in order
    text = io.StringIO()
    np.savetxt(text, np.column_stack([labels, pixels]), fmt="%d", delimiter=",")
    return text.getvalue().encode()


@contextlib.contextmanager
def check_csv(labels: tuple[int, ...] | None = None, seed: int = 0):
    """A small CSV in the tutorial's format (a label, then 784 pixels 0-255) for the checks.

    Its pixels are random, with every label 0-9 and the extremes 0 and 255 present. Pass
    ``labels`` (``CHECK_ROWS`` of them) to choose the labels. Each check gets a fresh
    file, removed afterwards: a reader's class that writes to it harms no later check.
    """
    with tempfile.TemporaryDirectory(prefix="mnisttutor-check-") as folder:
        path = Path(folder) / "check.csv"
        path.write_bytes(_csv_bytes(labels, seed))
        yield path


def check_dataset(labels: tuple[int, ...] | None = None) -> MnistDataset:
    """The package's dataset of the check's CSV (read whole when made)."""
    with check_csv(labels) as path:
        return MnistDataset(path)


def _make(dataset_class, path):
    if not isinstance(dataset_class, type):
        raise Incorrect(f"MnistDataset is a {type(dataset_class).__name__}, not a class.")
    return call(f"{dataset_class.__name__}(csv_file)", dataset_class, path)


def _check_len(dataset_class):
    with check_csv() as path:
        dataset = _make(dataset_class, path)
        n = call("__len__", dataset.__len__)
    if is_blank(n):
        raise NotAttempted
    if n is None:
        raise Incorrect("__len__ returned None: it must return the number of images.")
    if isinstance(n, float) or (isinstance(n, torch.Tensor) and n.is_floating_point()):
        raise Incorrect(f"__len__ returned a {type(n).__name__}, not a whole number.")
    n = number(n, "__len__'s answer", whole=True)
    if n == IMAGE_PIXELS + 1:
        raise Incorrect("__len__ counts the columns (label and pixels), not the rows (images).")
    if n == CHECK_ROWS - 1:
        raise Incorrect("__len__ is one short: the file has no header row to leave out.")
    if n != CHECK_ROWS:
        raise Incorrect(f"__len__ returned {n} for a file of {CHECK_ROWS} images.")


def _check_image(image, reference: torch.Tensor) -> torch.Tensor:
    image = plain_tensor(image, "the image values")
    if image.shape == (IMAGE_PIXELS + 1,):
        raise Incorrect("the image values have 785 numbers: they include the label column.")
    if image.shape == (1, IMAGE_PIXELS):
        raise Incorrect(
            "the image values have shape (1, 784): one image is a flat row of 784 numbers, "
            "shape (784,); drop the extra dimension."
        )
    if image.shape != reference.shape:
        raise Incorrect(f"the image values have shape {tuple(image.shape)}, not (784,).")
    if image.dtype != torch.float32:
        raise Incorrect(f"the image values are {image.dtype}: the network works in float32.")
    if not torch.isfinite(image).all():
        raise Incorrect("the image values hold NaN or infinity.")
    if image.max() > 1:
        raise Incorrect("the pixel values are not scaled to 0-1: they still go up to 255.")
    if not torch.allclose(image, reference, atol=1e-6):
        raise Incorrect("the image values are not the row's pixels divided by 255.")
    return image.clone()


def _check_target(target, label: int) -> torch.Tensor:
    target = plain_tensor(target, "the target")
    if target.shape == (1, NUM_CLASSES):
        raise Incorrect(
            "the target has shape (1, 10): for one image it is 10 numbers, shape (10,), "
            "like the network's outputs."
        )
    if target.shape != (NUM_CLASSES,):
        raise Incorrect(
            f"the target has shape {tuple(target.shape)}: it must match the network's 10 "
            "outputs, shape (10,)."
        )
    if not target.is_floating_point():
        raise Incorrect(f"the target is {target.dtype}: BCELoss needs floating point numbers.")
    if target.dtype != torch.float32:
        raise Incorrect(
            f"the target is {target.dtype}: the network's outputs are float32, and BCELoss "
            "needs the target in the same type."
        )
    if sorted(target.tolist()) != [0.0] * (NUM_CLASSES - 1) + [1.0]:
        raise Incorrect("the target should be all zeros but for a single 1.")
    if int(target.argmax()) != label:
        raise Incorrect(
            f"the one-hot 1 is at the wrong index: at {int(target.argmax())} for an image "
            f"labelled {label}."
        )
    return target.clone()


def _label(label) -> int:
    if isinstance(label, float | np.floating) or (
        isinstance(label, torch.Tensor) and label.is_floating_point()
    ):
        raise Incorrect(f"the label is a {type(label).__name__}: labels are whole numbers.")
    try:
        return number(label, "the label", whole=True)
    except Incorrect:
        raise Incorrect(
            f"the first thing returned is a {type(label).__name__}, not the label."
        ) from None


def _parts(item) -> tuple | None:
    """The parts of an item that is a tuple or a list, a namedtuple included, read with
    tuple's and list's own methods (a subclass's may do anything)."""
    if isinstance(item, tuple):
        return tuple(tuple.__getitem__(item, i) for i in range(tuple.__len__(item)))
    if isinstance(item, list):
        return tuple(list.__getitem__(item, i) for i in range(list.__len__(item)))
    return None


def _check_item(item, expected) -> tuple:
    if is_blank(item):
        raise NotAttempted
    parts = _parts(item)
    if parts is None or len(parts) != 3:
        raise Incorrect(
            "__getitem__ must return three things, the label, the image values and the "
            f"target; it returned {type(item).__name__ if item is not None else 'None'}."
        )
    label, image, target = parts
    if is_blank(label) or is_blank(image) or is_blank(target):
        raise NotAttempted
    label = _label(label)
    if label != expected[0]:
        raise Incorrect(f"item {expected[3]} has label {label}, not the label in its row.")
    _check_image(image, expected[1])
    _check_target(target, expected[0])
    return label, image, target


def _storage(tensor) -> int:
    return torch.Tensor.untyped_storage(tensor).data_ptr()


def _check_getitem(dataset_class):
    with check_csv() as path:
        dataset, reference = _make(dataset_class, path), MnistDataset(path)
        items = {}
        for index in CHECKED_ITEMS:
            item = call(f"__getitem__({index})", dataset.__getitem__, index)
            items[index] = _check_item(item, (*reference[index], index))
        # Each item its own tensors: a DataLoader stacks several items into one batch,
        # and items that share a tensor changed in place all show the last one's values.
        for part, what in ((2, "target"), (1, "image values")):
            storages = {_storage(parts[part]) for parts in items.values()}
            if len(storages) < len(items):
                raise Incorrect(
                    f"two items return the same {what} tensor, changed in place for each: "
                    "make a new tensor in every call of __getitem__ (a DataLoader batching "
                    "items would get copies of the last one)."
                )
        for index in CHECKED_ITEMS:  # a second read: the same item, untouched by the first
            item = call(f"__getitem__({index})", dataset.__getitem__, index)
            try:
                _check_item(item, (*reference[index], index))
            except Incorrect as exc:
                raise Incorrect(
                    f"item {index} changed between two reads: the second time, {exc}"
                ) from None


# The fallback class keeps the reader's __init__ and plot_image, and serves items through
# pandas with the tutorial's own methods, as the page's class does, so timings of it are
# the page's (tests/test_exercises.py holds its items to the page's). Each exercise lends
# only its own method: a right __len__ stays the reader's.
def _with_tutorial(method: str):
    def reference(dataset_class):
        base = dataset_class if isinstance(dataset_class, type) else OriginalMnistDataset
        name = getattr(base, "__name__", "MnistDataset")
        return type(name, (base,), {method: getattr(OriginalMnistDataset, method)})

    return reference


NOTES = (
    ("RuntimeError", "shapes cannot be multiplied",
     "a shape mistake: one image is (784,), a batch of N images (N, 784)"),
    ("ValueError", "that is different to the input size",
     "the target's shape must be the outputs' shape, (10,) for one image"),
)  # fmt: skip


dataset_len = Exercise(
    "dataset_len",
    "Write __len__: the number of images in the CSV.",
    "count = ____  # how many images: one per row of the table\nreturn count",
    ("MnistDataset",),
    "The table self.data_df has one row per image; Python's len() counts rows.",
    "return len(self.data_df)",
    _check_len,
    _with_tutorial("__len__"),
    scope=("__len__",),
    lent="MnistDataset is your class with mnisttutor's __len__",
    notes=NOTES,
)
dataset_getitem = Exercise(
    "dataset_getitem",
    "Write __getitem__: the label, the pixels scaled to 0-1, and the one-hot target.",
    "label = ____  # column 0 of row `index`\n"
    "target = ____  # 10 zeros (float32)\n"
    "____  # set target's place `label` to 1.0\n"
    "pixels = ____  # columns 1 to 784 of row `index`, as a numpy array\n"
    "image_values = ____  # pixels as a float32 tensor, scaled from 0-255 to 0-1",
    ("MnistDataset",),
    "self.data_df.iloc[row, column] reads the table; torch.zeros(10) makes the target to "
    "set one place of; pixels run 0-255.",
    "label = self.data_df.iloc[index, 0]\n"
    "target = torch.zeros(10)\n"
    "target[label] = 1.0\n"
    "pixels = self.data_df.iloc[index, 1:].to_numpy()\n"
    "image_values = torch.tensor(pixels, dtype=torch.float32) / 255.0",
    _check_getitem,
    _with_tutorial("__getitem__"),
    scope=("__getitem__",),
    lent="MnistDataset is your class with mnisttutor's __getitem__",
    notes=NOTES,
)
