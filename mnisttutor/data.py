"""Getting MNIST: the file table, verified downloads, the IDX reader and the tutorial's CSVs.

``fetch_mnist()`` finds or downloads the four IDX files and returns their paths;
``fetch_mnist_csv()`` turns them into the two CSV files the original tutorial reads.
Neither is a side effect of building a dataset: ``MnistDataset(path)`` only reads.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import sys
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pooch
import requests
from filelock import FileLock
from tqdm import tqdm  # plain bars: tqdm.auto warns in Jupyter without ipywidgets

from .classifier import IMAGE_PIXELS
from .errors import DataNotFoundError, InvalidDataError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MnistFile:
    """One of the four MNIST files, as the mirrors name it (without ``.gz``)."""

    key: str
    name: str
    sha256: str  # of the *decompressed* file, so a recompressed .gz passes too
    shape: tuple[int, ...]


# The canonical files. The mirrors serve each as NAME.gz; the checksums are those of the
# decompressed bytes (see the MNIST README in the shared data folder).
MNIST_FILES = (
    MnistFile(
        "train_images",
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        (60_000, 28, 28),
    ),
    MnistFile(
        "train_labels",
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        (60_000,),
    ),
    MnistFile(
        "test_images",
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        (10_000, 28, 28),
    ),
    MnistFile(
        "test_labels",
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        (10_000,),
    ),
)

# The two mirrors torchvision lists, tried in this order.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

DATA_DIR_ENV = "MNISTTUTOR_DATA_DIR"
CACHE_DIR_ENV = "MNISTTUTOR_CACHE_DIR"
DOWNLOAD_TIMEOUT_S = 60

CSV_COLUMNS = 1 + IMAGE_PIXELS  # the label, then the pixels
CSV_NAMES = {"train": "mnist_train.csv", "test": "mnist_test.csv"}

# IDX type codes (third byte of the magic number) and their big-endian numpy types.
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"


class MnistFiles(NamedTuple):
    """Paths of the four verified IDX files (each may be gzip-compressed or raw)."""

    train_images: Path
    train_labels: Path
    test_images: Path
    test_labels: Path


class CsvFiles(NamedTuple):
    """Paths of the tutorial's two CSV files."""

    train: Path
    test: Path


def cache_dir() -> Path:
    """The per-user cache folder: ``$MNISTTUTOR_CACHE_DIR``, else the platform's own.

    Examples
    --------
    >>> from mnisttutor.data import cache_dir
    >>> cache_dir().is_absolute()
    True
    """
    override = os.environ.get(CACHE_DIR_ENV)
    return (
        Path(override).expanduser().absolute() if override else Path(pooch.os_cache("mnisttutor"))
    )


def _progress_default(progress: bool | None) -> bool:
    # A progress bar only helps someone watching a terminal; logs and CI stay clean.
    return sys.stderr.isatty() if progress is None else progress


def _read_bytes(path: Path) -> bytes:
    """The file's content, decompressed if it is gzip (judged by its first bytes)."""
    with path.open("rb") as f:
        raw = f.read()
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise InvalidDataError(
            f"{path}: not a valid gzip file, or it was cut short ({exc}). "
            "Delete it and fetch it again."
        ) from exc


def verify(path: Path, spec: MnistFile) -> None:
    """Check that ``path`` holds ``spec``'s canonical content, compressed or not.

    Raises
    ------
    InvalidDataError
        If the file is corrupt, truncated or holds something else.

    Examples
    --------
    >>> from mnisttutor.data import MNIST_FILES, verify
    >>> spec = MNIST_FILES[1]
    >>> spec.name
    'train-labels-idx1-ubyte'
    """
    found = hashlib.sha256(_read_bytes(path)).hexdigest()
    if found != spec.sha256:
        raise InvalidDataError(
            f"{path}: its decompressed content has sha256 {found}, expected "
            f"{spec.sha256} for MNIST's {spec.name}. The file is corrupt, incomplete or "
            "from another dataset."
        )


def _resolve_data_dir(data_dir: str | os.PathLike | None) -> tuple[Path, bool]:
    """The folder to use, and whether the user named it (their files are never deleted)."""
    if data_dir is not None:
        return Path(data_dir).expanduser().absolute(), True
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser().absolute(), True
    return cache_dir() / "mnist", False


def _existing(folder: Path, spec: MnistFile) -> list[Path]:
    return [p for p in (folder / spec.name, folder / f"{spec.name}.gz") if p.is_file()]


def _find_verified(folder: Path, spec: MnistFile, user_provided: bool) -> Path | None:
    """A verified copy of ``spec`` in ``folder``; a bad cached copy is removed."""
    for path in _existing(folder, spec):
        try:
            verify(path, spec)
        except InvalidDataError as exc:
            if user_provided:
                raise InvalidDataError(
                    f"{exc} It was left untouched: replace it with a good copy, or "
                    f"delete it so that mnisttutor downloads the file into {folder}."
                ) from exc
            log.warning("Removing a corrupt cached file, to download it again: %s", exc)
            path.unlink(missing_ok=True)
            continue
        return path
    return None


def _download(folder: Path, spec: MnistFile, mirrors, progress: bool, failures: list) -> Path:
    """Download ``spec`` from the first mirror that serves good content."""
    final = folder / f"{spec.name}.gz"
    downloader = pooch.HTTPDownloader(progressbar=progress, timeout=DOWNLOAD_TIMEOUT_S)
    for mirror in mirrors:
        url = f"{mirror.rstrip('/')}/{spec.name}.gz"
        # A unique temporary name: a crash or a parallel download never leaves a
        # half-written file under the final name.
        partial = folder / f".{spec.name}.gz.{uuid.uuid4().hex}.part"
        try:
            log.info("Downloading %s", url)
            downloader(url, str(partial), None)
            verify(partial, spec)
            partial.replace(final)
            return final
        except (requests.RequestException, OSError, InvalidDataError) as exc:
            failures.append(f"{url}: {exc}")
            log.warning("Download failed, trying the next mirror: %s: %s", url, exc)
        finally:
            partial.unlink(missing_ok=True)
    raise _not_found(folder, spec, failures)


def _not_found(folder: Path, spec: MnistFile, failures: list[str]) -> DataNotFoundError:
    tried = "; ".join(failures) or "no mirrors to try"
    return DataNotFoundError(
        f"MNIST's {spec.name} is not in {folder} (as {spec.name} or {spec.name}.gz) and "
        f"could not be downloaded ({tried}). Download the four MNIST files into a folder "
        f"and point {DATA_DIR_ENV} at it (export {DATA_DIR_ENV}=/path/to/mnist), or pass "
        "data_dir=... (--data-dir on the command line)."
    )


def fetch_mnist(
    data_dir: str | os.PathLike | None = None,
    *,
    mirrors: tuple[str, ...] | list[str] = MIRRORS,
    progress: bool | None = None,
) -> MnistFiles:
    """Find or download the four MNIST files, verify them, and return their paths.

    The folder is ``data_dir``, else ``$MNISTTUTOR_DATA_DIR``, else ``cache_dir()/mnist``.
    Files already there, gzip-compressed or raw, are verified and used without touching
    the network. Missing ones are downloaded from each mirror in turn into a temporary
    file, verified, then moved into place. Safe to call from several processes at once.

    Parameters
    ----------
    data_dir
        Folder holding (or to receive) the files.
    mirrors
        Base URLs to try in order.
    progress
        Show a download progress bar; by default only when stderr is a terminal.

    Raises
    ------
    InvalidDataError
        A file in a folder you named is corrupt. It is reported, never deleted.
    DataNotFoundError
        A file is missing and no mirror served a good copy.

    Examples
    --------
    >>> from mnisttutor import fetch_mnist
    >>> files = fetch_mnist()  # doctest: +SKIP
    >>> files.train_images.name  # doctest: +SKIP
    'train-images-idx3-ubyte.gz'
    """
    folder, user_provided = _resolve_data_dir(data_dir)
    progress = _progress_default(progress)
    paths = {}
    for spec in MNIST_FILES:
        path = _find_verified(folder, spec, user_provided)
        if path is None:
            failures: list[str] = []
            try:
                folder.mkdir(parents=True, exist_ok=True)
                lock = FileLock(folder / f".{spec.name}.lock")
                with lock:
                    # Another process may have finished the download while we waited.
                    path = _find_verified(folder, spec, user_provided)
                    if path is None:
                        # Holding the lock, any partial file of ours is from a killed run.
                        for stale in folder.glob(f".{spec.name}.gz.*.part"):
                            stale.unlink(missing_ok=True)
                        path = _download(folder, spec, mirrors, progress, failures)
            except DataNotFoundError:
                raise
            except OSError as exc:  # a read-only or unwritable folder
                failures.append(f"cannot write to {folder}: {exc}")
                raise _not_found(folder, spec, failures) from exc
        paths[spec.key] = path
    return MnistFiles(**paths)


def read_idx(path: str | os.PathLike, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed or raw, into a numpy array.

    Parameters
    ----------
    path
        The file.
    shape
        If given, the dimensions the file must declare.

    Raises
    ------
    InvalidDataError
        The file is not IDX, is truncated or too long, or has other dimensions.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from mnisttutor.data import read_idx, write_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte"
    >>> write_idx(path, np.array([5, 0, 4], dtype=np.uint8))
    >>> read_idx(path)
    array([5, 0, 4], dtype=uint8)
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4 or data[:2] != b"\0\0":
        raise InvalidDataError(
            f"{path}: not an IDX file (its first bytes are {data[:4].hex() or 'empty'}, "
            "an IDX file starts with 0000 then a type code and a dimension count)."
        )
    code, ndim = data[2], data[3]
    if code not in IDX_DTYPES:
        raise InvalidDataError(f"{path}: unknown IDX type code 0x{code:02x}.")
    if ndim == 0:
        raise InvalidDataError(f"{path}: the IDX header declares no dimensions.")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise InvalidDataError(f"{path}: cut short inside its header of {ndim} dimensions.")
    dims = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    if shape is not None and dims != tuple(shape):
        raise InvalidDataError(
            f"{path}: declares dimensions {dims}, expected {tuple(shape)}. Is it the right file?"
        )
    dtype = IDX_DTYPES[code]
    expected = int(np.prod(dims, dtype=object)) * dtype.itemsize
    if len(data) - header != expected:
        raise InvalidDataError(
            f"{path}: holds {len(data) - header} bytes of data, but its header "
            f"{dims} calls for {expected}. The file is truncated or corrupt."
        )
    array = np.frombuffer(data, dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path: str | os.PathLike, array: np.ndarray) -> None:
    """Write ``array`` as a raw IDX file (the inverse of :func:`read_idx`).

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from mnisttutor.data import read_idx, write_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x-idx2-ubyte"
    >>> write_idx(path, np.zeros((2, 3), dtype=np.uint8))
    >>> read_idx(path).shape
    (2, 3)
    """
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
    array = np.asarray(array)
    code = codes[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    payload = array.astype(IDX_DTYPES[code]).tobytes()
    Path(path).write_bytes(header + payload)


# Each value 0..255 as its decimal digits and a comma, padded to 4 bytes, for a
# vectorised CSV writer: pandas.to_csv would take a minute for the training set.
_CELL_TEXT = [f"{v},".encode() for v in range(256)]
_CELL_BYTES = np.array([list(t.ljust(4, b"\0")) for t in _CELL_TEXT], np.uint8)  # (256, 4)
_CELL_LENGTHS = np.array([len(t) for t in _CELL_TEXT])  # (256,)
_CSV_CHUNK_ROWS = 5_000


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


def _write_csv(out: Path, images: np.ndarray, labels: np.ndarray, progress: bool) -> None:
    rows = np.column_stack([labels.astype(np.uint8), images.reshape(len(images), -1)])
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex}.part")
    try:
        with (
            partial.open("wb") as f,
            tqdm(total=len(rows), desc=out.name, unit="rows", disable=not progress) as bar,
        ):
            for start in range(0, len(rows), _CSV_CHUNK_ROWS):
                chunk = rows[start : start + _CSV_CHUNK_ROWS]
                f.write(_csv_text(chunk))
                bar.update(len(chunk))
        digest = _sha256_file(partial)
        partial.replace(out)
        _checksum_path(out).write_text(digest + "\n")
    finally:
        partial.unlink(missing_ok=True)


def _checksum_path(csv: Path) -> Path:
    return csv.with_name(csv.name + ".sha256")


def _csv_is_good(csv: Path) -> bool:
    """Whether ``csv`` exists and matches the checksum recorded when it was written."""
    try:
        recorded = _checksum_path(csv).read_text().strip()
    except OSError:
        return False
    return csv.is_file() and _sha256_file(csv) == recorded


def fetch_mnist_csv(
    data_dir: str | os.PathLike | None = None,
    csv_dir: str | os.PathLike | None = None,
    *,
    progress: bool | None = None,
) -> CsvFiles:
    """Write the tutorial's ``mnist_train.csv`` and ``mnist_test.csv`` once; return paths.

    Each row is a label then 784 pixel values 0-255, with no header: exactly what the
    original tutorial reads with ``pandas.read_csv(path, header=None)``. The files are
    cached in ``csv_dir`` (default ``cache_dir()/csv``) with a checksum, and written
    again if they are missing or damaged. Safe to call from several processes at once.

    Examples
    --------
    >>> from mnisttutor import fetch_mnist_csv
    >>> train_csv, test_csv = fetch_mnist_csv()  # doctest: +SKIP
    >>> train_csv.name  # doctest: +SKIP
    'mnist_train.csv'
    """
    progress = _progress_default(progress)
    folder = Path(csv_dir) if csv_dir is not None else cache_dir() / "csv"
    paths = CsvFiles(**{split: folder / name for split, name in CSV_NAMES.items()})
    if all(_csv_is_good(p) for p in paths):
        return paths
    files = fetch_mnist(data_dir, progress=progress)
    specs = {spec.key: spec for spec in MNIST_FILES}
    folder.mkdir(parents=True, exist_ok=True)
    for split, out in zip(CSV_NAMES, paths, strict=True):
        with FileLock(folder / f".{out.name}.lock"):
            if _csv_is_good(out):  # another process wrote it while we waited
                continue
            images = read_idx(getattr(files, f"{split}_images"), specs[f"{split}_images"].shape)
            labels = read_idx(getattr(files, f"{split}_labels"), specs[f"{split}_labels"].shape)
            log.info("Writing %s", out)
            _write_csv(out, images, labels, progress)
    return paths
