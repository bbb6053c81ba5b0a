"""Getting MNIST: the file table and verified downloads with a cache.

``fetch_mnist()`` finds or downloads the four IDX files and returns their paths
(:mod:`mnisttutor.csvfiles` turns them into the tutorial's CSVs). Neither is a side effect
of building a dataset: ``MnistDataset(path)`` only reads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import requests
from filelock import FileLock
from tqdm import TqdmWarning

with warnings.catch_warnings():
    # pooch imports tqdm.auto, which in a Jupyter kernel without ipywidgets warns
    # "IProgress not found" (tqdm/tqdm#1082) before falling back to the plain bar we want:
    # that warning would be the first thing a learner's setup cell prints.
    warnings.simplefilter("ignore", TqdmWarning)
    import pooch

from .errors import DataNotFoundError, InvalidDataError
from .idx import read_bytes

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


class MnistFiles(NamedTuple):
    """Paths of the four verified IDX files (each may be gzip-compressed or raw)."""

    train_images: Path
    train_labels: Path
    test_images: Path
    test_labels: Path


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


def progress_default(progress: bool | None) -> bool:
    # A progress bar only helps someone watching a terminal; logs and CI stay clean.
    return sys.stderr.isatty() if progress is None else progress


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
    found = hashlib.sha256(read_bytes(path)).hexdigest()
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
    progress = progress_default(progress)
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
