"""The IDX format MNIST comes in: a reader and a writer, gzip-compressed or raw.

An IDX file is a 4-byte magic number (two zero bytes, a type code, the number of
dimensions), each dimension as a big-endian 32-bit count, then the values, row by row.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

from .errors import InvalidDataError

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


def read_bytes(path: Path) -> bytes:
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
    >>> from mnisttutor.idx import read_idx, write_idx
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "tiny-idx1-ubyte"
    >>> write_idx(path, np.array([5, 0, 4], dtype=np.uint8))
    >>> read_idx(path)
    array([5, 0, 4], dtype=uint8)
    >>> folder.cleanup()
    """
    path = Path(path)
    data = read_bytes(path)
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
    >>> from mnisttutor.idx import read_idx, write_idx
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(folder.name) / "x-idx2-ubyte"
    >>> write_idx(path, np.zeros((2, 3), dtype=np.uint8))
    >>> read_idx(path).shape
    (2, 3)
    >>> folder.cleanup()
    """
    codes = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}
    array = np.asarray(array)
    code = codes[array.dtype.newbyteorder("=")]
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    payload = array.astype(IDX_DTYPES[code]).tobytes()
    Path(path).write_bytes(header + payload)
