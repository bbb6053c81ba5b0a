"""Property-based tests: the readers return correct data or raise InvalidDataError."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mnisttutor import MnistDataset
from mnisttutor.errors import InvalidDataError
from mnisttutor.idx import IDX_DTYPES, read_idx, write_idx

# Deadlines catch a reader that hangs or goes quadratic on hostile input.
PROPERTY = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
NATIVE_DTYPES = [dtype.newbyteorder("=") for dtype in IDX_DTYPES.values()]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """``scratch(content, suffix="")``: a file holding ``content``, in a folder pytest
    removes (one file, rewritten by each example: hypothesis runs many per test)."""
    folder = tmp_path_factory.mktemp("scratch")

    def write(content: bytes, suffix: str = "") -> Path:
        path = folder / f"input{suffix}"
        path.write_bytes(content)
        return path

    return write


def _reference_parse(raw: bytes) -> np.ndarray:
    """The IDX layout spelled out with struct-free numpy, independent of read_idx."""
    dtype = IDX_DTYPES[raw[2]]
    dims = np.frombuffer(raw, ">u4", count=raw[3], offset=4)
    return np.frombuffer(raw, dtype, offset=4 + 4 * raw[3]).reshape(dims)


arrays = st.sampled_from(NATIVE_DTYPES).flatmap(
    lambda dtype: hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=6),
        elements={"allow_nan": False} if dtype.kind == "f" else None,
    )
)


@PROPERTY
@given(arrays, st.booleans())
def test_idx_round_trip(scratch, array, compress):
    path = scratch(b"")
    write_idx(path, array)
    if compress:
        path.write_bytes(gzip.compress(path.read_bytes()))
    np.testing.assert_array_equal(read_idx(path), array)


@PROPERTY
@given(arrays, st.data())
def test_damaged_idx_is_read_exactly_or_refused(scratch, array, data):
    path = scratch(b"")
    write_idx(path, array)
    raw = bytearray(path.read_bytes())
    damage = data.draw(st.sampled_from(["cut", "extend", "flip"]))
    if damage == "cut":
        raw = raw[: data.draw(st.integers(0, max(len(raw) - 1, 0)))]
    elif damage == "extend":
        raw += data.draw(st.binary(min_size=1, max_size=16))
    else:
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= data.draw(st.integers(1, 255))
    path.write_bytes(bytes(raw))
    try:
        found = read_idx(path)
    except InvalidDataError:
        return
    np.testing.assert_array_equal(found, _reference_parse(bytes(raw)))


@PROPERTY
@given(st.binary(max_size=512), st.booleans())
def test_random_bytes_are_parsed_or_refused(scratch, content, compress):
    if compress:
        content = gzip.compress(content)
    try:
        result = read_idx(scratch(content))
    except InvalidDataError:
        return
    assert isinstance(result, np.ndarray)


@PROPERTY
@given(st.binary(min_size=2, max_size=300).map(lambda b: b"\x1f\x8b" + b))
def test_garbage_that_looks_gzipped_is_refused(scratch, content):
    with pytest.raises(InvalidDataError):
        read_idx(scratch(content))


cells = st.one_of(
    st.integers(-5, 300).map(str),
    st.sampled_from(["", "x", "1.5", "nan", " 7", "1e2", '"3"', "0x10", "9,9"]),
)


@st.composite
def rows(draw):
    """A good row (label, 784 pixels) with a few cells replaced, dropped or added."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    row = [str(rng.integers(0, 10)), *map(str, rng.integers(0, 256, 784))]
    for _ in range(draw(st.integers(0, 3))):
        row[draw(st.integers(0, len(row) - 1))] = draw(cells)
    change = draw(st.sampled_from(["keep", "keep", "drop", "add"]))
    if change == "drop":
        row.pop(draw(st.integers(0, len(row) - 1)))
    elif change == "add":
        row.insert(draw(st.integers(0, len(row))), draw(cells))
    return ",".join(row)


@PROPERTY
@given(st.lists(rows(), min_size=1, max_size=4), st.sampled_from(["\n", "\r\n"]))
def test_malformed_csv_is_read_correctly_or_refused(scratch, lines, newline):
    path = scratch(newline.join(lines).encode() + newline.encode(), ".csv")
    try:
        ds = MnistDataset(path)
    except InvalidDataError as exc:
        refusal = str(exc)
    else:
        refusal = None
    if refusal is not None:
        assert str(path) in refusal  # the error names the file
        return
    # Accepted: then every row was a label 0-9 and 784 whole values 0-255.
    assert len(ds) == len(lines)
    for line, (label, image, target) in zip(lines, ds, strict=True):
        values = [float(v) for v in next(csv.reader([line]))]  # CSV quoting rules
        assert len(values) == 785
        assert label == values[0]
        assert target.argmax().item() == label
        np.testing.assert_allclose(image.numpy() * 255, values[1:], atol=1e-3)


@PROPERTY
@given(st.binary(max_size=400))
def test_random_bytes_as_csv_are_refused(scratch, content):
    path = scratch(content, ".csv")
    with pytest.raises(InvalidDataError):
        MnistDataset(path)
