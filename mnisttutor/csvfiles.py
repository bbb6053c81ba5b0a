"""The tutorial's two CSV files, written once from the IDX files and judged fresh cheaply.

Each row is a label then 784 pixel values 0-255, with no header: exactly what the
original tutorial reads with ``pandas.read_csv(path, header=None)``. Beside each CSV,
``<name>.json`` records its sha256, size and modification time when it was written: a
later call trusts a file whose size and time still match (a stat, not 128 MB of
hashing), and ``verify=True`` (``python -m mnisttutor fetch --verify``) hashes it in full.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from pathlib import Path
from typing import NamedTuple

import numpy as np
from filelock import FileLock
from tqdm import tqdm  # plain bars: tqdm.auto warns in Jupyter without ipywidgets

from . import data
from .classifier import IMAGE_PIXELS
from .idx import read_idx

log = logging.getLogger(__name__)

CSV_COLUMNS = 1 + IMAGE_PIXELS  # the label, then the pixels
CSV_NAMES = {"train": "mnist_train.csv", "test": "mnist_test.csv"}
CSV_CHUNK_ROWS = 5_000  # rows converted at a time: bounded memory, a moving progress bar


class CsvFiles(NamedTuple):
    """Paths of the tutorial's two CSV files."""

    train: Path
    test: Path


# Each value 0..255 as its decimal digits and a comma, padded to 4 bytes, for a
# vectorised CSV writer: pandas.to_csv would take a minute for the training set.
_CELL_TEXT = [f"{v},".encode() for v in range(256)]
_CELL_BYTES = np.array([list(t.ljust(4, b"\0")) for t in _CELL_TEXT], np.uint8)  # (256, 4)
_CELL_LENGTHS = np.array([len(t) for t in _CELL_TEXT])  # (256,)


def _csv_text(rows: np.ndarray) -> bytes:
    """``rows`` (n, 785) uint8 as CSV lines: no header, no padding, "\\n" line ends."""
    lengths = _CELL_LENGTHS[rows]  # (n, 785)
    keep = np.arange(4) < lengths[..., None]  # (n, 785, 4)
    text = _CELL_BYTES[rows][keep]  # every cell followed by a comma
    text[np.cumsum(lengths.sum(axis=1)) - 1] = ord("\n")  # each row's last comma
    return text.tobytes()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def _record_path(csv: Path) -> Path:
    return csv.with_name(csv.name + ".json")


def _write_csv(out: Path, images: np.ndarray, labels: np.ndarray, progress: bool) -> None:
    rows = np.column_stack([labels.astype(np.uint8), images.reshape(len(images), -1)])
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.part")
    try:
        with (
            partial.open("wb") as f,
            tqdm(total=len(rows), desc=out.name, unit="rows", disable=not progress) as bar,
        ):
            for start in range(0, len(rows), CSV_CHUNK_ROWS):
                chunk = rows[start : start + CSV_CHUNK_ROWS]
                f.write(_csv_text(chunk))
                bar.update(len(chunk))
        digest = _sha256_file(partial)
        partial.replace(out)  # a rename keeps the size and time recorded below
        stat = out.stat()
        record = {"sha256": digest, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        _record_path(out).write_text(json.dumps(record) + "\n")
        out.with_name(out.name + ".sha256").unlink(missing_ok=True)  # 0.1.0's record
    finally:
        partial.unlink(missing_ok=True)


def csv_is_fresh(csv: Path, *, verify: bool = False) -> bool:
    """Whether ``csv`` is as it was written: same size and time, or (``verify``) same hash.

    A missing or unreadable record, or a file changed since, is not fresh.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from mnisttutor.csvfiles import csv_is_fresh
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     csv_is_fresh(pathlib.Path(folder) / "mnist_train.csv")
    False
    """
    try:
        record = json.loads(_record_path(csv).read_text())
        stat = csv.stat()
        same = (stat.st_size, stat.st_mtime_ns) == (record["size"], record["mtime_ns"])
        return same and (not verify or _sha256_file(csv) == record["sha256"])
    except (OSError, ValueError, KeyError, TypeError):  # no file, or a damaged record
        return False


def fetch_mnist_csv(
    data_dir: str | os.PathLike | None = None,
    csv_dir: str | os.PathLike | None = None,
    *,
    verify: bool = False,
    progress: bool | None = None,
) -> CsvFiles:
    """Write the tutorial's ``mnist_train.csv`` and ``mnist_test.csv`` once; return paths.

    The files are kept in ``csv_dir`` (default ``cache_dir()/csv``) and written again
    from :func:`~mnisttutor.fetch_mnist`'s files when missing or changed since they were
    written. Safe to call from several processes at once.

    Parameters
    ----------
    data_dir
        Where the MNIST files are, as for :func:`~mnisttutor.fetch_mnist`.
    csv_dir
        Where the CSVs are kept.
    verify
        Check each CSV's whole content against the sha256 recorded when it was written
        (about 128 MB to read), not only its size and time.
    progress
        Show progress bars; by default only when stderr is a terminal.

    Examples
    --------
    >>> from mnisttutor import fetch_mnist_csv
    >>> train_csv, test_csv = fetch_mnist_csv()  # doctest: +SKIP
    >>> train_csv.name  # doctest: +SKIP
    'mnist_train.csv'
    """
    progress = data.progress_default(progress)
    folder = Path(csv_dir) if csv_dir is not None else data.cache_dir() / "csv"
    paths = CsvFiles(**{split: folder / name for split, name in CSV_NAMES.items()})
    if all(csv_is_fresh(p, verify=verify) for p in paths):
        return paths
    files = data.fetch_mnist(data_dir, progress=progress)
    specs = {spec.key: spec for spec in data.MNIST_FILES}
    folder.mkdir(parents=True, exist_ok=True)
    for split, out in zip(CSV_NAMES, paths, strict=True):
        with FileLock(folder / f".{out.name}.lock"):
            if csv_is_fresh(out, verify=verify):  # another process wrote it while we waited
                continue
            if out.exists():
                log.warning("Writing %s again: it changed since it was written", out)
            images = read_idx(getattr(files, f"{split}_images"), specs[f"{split}_images"].shape)
            labels = read_idx(getattr(files, f"{split}_labels"), specs[f"{split}_labels"].shape)
            log.info("Writing %s", out)
            _write_csv(out, images, labels, progress)
    return paths
