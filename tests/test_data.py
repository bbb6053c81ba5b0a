"""Finding, downloading and verifying MNIST; the IDX reader; the tutorial's CSVs."""

from __future__ import annotations

import gzip
import os
import struct

import numpy as np
import pandas as pd
import pytest

from mnisttutor import csvfiles, data
from mnisttutor.csvfiles import fetch_mnist_csv
from mnisttutor.data import fetch_mnist
from mnisttutor.errors import DataNotFoundError, InvalidDataError
from mnisttutor.idx import read_idx, write_idx

# --- read_idx -----------------------------------------------------------------------


def _idx_by_hand(array: np.ndarray, code: int, dtype: str) -> bytes:
    header = struct.pack(">BBBB", 0, 0, code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes()


@pytest.mark.parametrize(
    ("code", "dtype"),
    [(0x08, "u1"), (0x09, "i1"), (0x0B, ">i2"), (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")],
)
def test_read_idx_matches_numpy(tmp_path, code, dtype):
    expected = np.random.default_rng(1).integers(-100, 100, size=(3, 4, 5)).astype(dtype)
    path = tmp_path / "x.idx"
    path.write_bytes(_idx_by_hand(expected, code, dtype))
    found = read_idx(path)
    np.testing.assert_array_equal(found, expected)
    assert found.dtype.isnative


def test_read_idx_reads_gzip_and_raw_alike(tmp_path):
    array = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    raw = tmp_path / "raw-idx3-ubyte"
    write_idx(raw, array)
    packed = tmp_path / "packed-idx3-ubyte.gz"
    packed.write_bytes(gzip.compress(raw.read_bytes()))
    np.testing.assert_array_equal(read_idx(raw), read_idx(packed))
    np.testing.assert_array_equal(read_idx(packed, shape=(2, 28, 28)), array)


@pytest.fixture
def labels_file(tmp_path):
    path = tmp_path / "labels-idx1-ubyte"
    write_idx(path, np.array([5, 0, 4, 1, 9], dtype=np.uint8))
    return path


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b"\x01\x02" + b[2:], "not an IDX file"),
        (lambda b: b[:2] + b"\x07" + b[3:], "unknown IDX type code"),
        (lambda b: b[:3] + b"\x00" + b[4:], "declares no dimensions"),
        (lambda b: b[:6], "cut short inside its header"),
        (lambda b: b[:-1], "truncated or corrupt"),
        (lambda b: b + b"\x00", "truncated or corrupt"),
        (lambda b: b"", "not an IDX file"),
        (lambda b: b"\x89PNG\r\n\x1a\n" + b, "not an IDX file"),  # a file of another kind
    ],
)
def test_read_idx_rejects_malformed_files(labels_file, mangle, message):
    labels_file.write_bytes(mangle(labels_file.read_bytes()))
    with pytest.raises(InvalidDataError, match=message) as info:
        read_idx(labels_file)
    assert str(labels_file) in str(info.value)


def test_read_idx_rejects_wrong_dimensions(labels_file):
    with pytest.raises(InvalidDataError, match=r"declares dimensions \(5,\), expected \(60000,\)"):
        read_idx(labels_file, shape=(60000,))


@pytest.mark.parametrize("cut", [0.5, 0.99])
def test_read_idx_rejects_truncated_gzip(labels_file, cut):
    packed = gzip.compress(labels_file.read_bytes() * 50)
    path = labels_file.with_suffix(".gz")
    path.write_bytes(packed[: int(len(packed) * cut)])
    with pytest.raises(InvalidDataError, match="not a valid gzip file, or it was cut short"):
        read_idx(path)


def test_read_idx_rejects_corrupt_gzip(labels_file):
    packed = bytearray(gzip.compress(labels_file.read_bytes()))
    packed[-8] ^= 0xFF  # the CRC32 trailer
    path = labels_file.with_suffix(".gz")
    path.write_bytes(bytes(packed))
    with pytest.raises(InvalidDataError, match="gzip"):
        read_idx(path)


# --- fetch_mnist: local folders -------------------------------------------------------


def test_fetch_uses_a_folder_of_gz_files_without_network(synthetic):
    files = fetch_mnist(synthetic, mirrors=())
    assert [p.name for p in files] == [f"{s.name}.gz" for s in data.MNIST_FILES]


def test_fetch_uses_a_folder_of_raw_files(synthetic):
    for path in synthetic.glob("*.gz"):
        path.with_suffix("").write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    files = fetch_mnist(synthetic, mirrors=())
    assert all(p.suffix != ".gz" for p in files)
    assert read_idx(files.train_labels).shape == (60,)


def test_data_dir_argument_beats_environment_beats_cache(synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv(data.DATA_DIR_ENV, str(synthetic))
    assert fetch_mnist(mirrors=()).train_images.parent == synthetic
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in synthetic.iterdir():
        (elsewhere / path.name).write_bytes(path.read_bytes())
    assert fetch_mnist(elsewhere, mirrors=()).train_images.parent == elsewhere
    monkeypatch.delenv(data.DATA_DIR_ENV)
    with pytest.raises(DataNotFoundError) as info:
        fetch_mnist(mirrors=())
    assert str(tmp_path / "cache" / "mnist") in str(info.value)


def test_a_corrupt_file_the_user_provided_is_reported_and_kept(synthetic):
    victim = synthetic / f"{data.MNIST_FILES[0].name}.gz"
    damaged = gzip.compress(gzip.decompress(victim.read_bytes())[:-1] + b"\x01")
    victim.write_bytes(damaged)
    with pytest.raises(InvalidDataError, match="sha256") as info:
        fetch_mnist(synthetic, mirrors=())
    assert str(victim) in str(info.value)
    assert "left untouched" in str(info.value)
    assert victim.read_bytes() == damaged


def test_a_file_from_another_dataset_is_refused(synthetic):
    # Same name and shape, other content (as Fashion-MNIST would be).
    victim = synthetic / f"{data.MNIST_FILES[1].name}.gz"
    other = np.ones(60, dtype=np.uint8)
    raw = synthetic / "other"
    write_idx(raw, other)
    victim.write_bytes(gzip.compress(raw.read_bytes()))
    with pytest.raises(InvalidDataError, match="from another dataset"):
        fetch_mnist(synthetic, mirrors=())


# --- fetch_mnist: downloads from a local HTTP server ------------------------------------


def _no_leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part")] == []


def test_download_verifies_and_stores(synthetic, serve):
    url = serve(synthetic)
    files = fetch_mnist(mirrors=(url,))
    cache = data.cache_dir() / "mnist"
    assert files.train_images == cache / f"{data.MNIST_FILES[0].name}.gz"
    assert files.train_images.read_bytes() == (synthetic / files.train_images.name).read_bytes()
    assert _no_leftovers(cache)


def test_download_falls_back_to_the_next_mirror_on_404(synthetic, serve, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    dead, good = serve(empty), serve(synthetic)
    files = fetch_mnist(mirrors=(dead, good))
    assert read_idx(files.test_labels).shape == (20,)


def test_download_with_wrong_content_is_deleted_and_retried(
    synthetic, make_synthetic, serve, tmp_path
):
    liar = tmp_path / "liar"
    make_synthetic(liar, seed=99)  # right names, wrong bytes
    files = fetch_mnist(mirrors=(serve(liar), serve(synthetic)))
    assert files.train_labels.read_bytes() == (synthetic / files.train_labels.name).read_bytes()
    assert _no_leftovers(files.train_labels.parent)


def test_truncated_download_is_not_kept(synthetic, serve):
    names = [f"{s.name}.gz" for s in data.MNIST_FILES]
    with pytest.raises(DataNotFoundError) as info:
        fetch_mnist(mirrors=(serve(synthetic, truncate=names),))
    cache = data.cache_dir() / "mnist"
    assert list(cache.glob("*.gz")) == []
    assert _no_leftovers(cache)
    assert "127.0.0.1" in str(info.value)


def test_truncated_download_falls_back_to_the_next_mirror(synthetic, serve):
    names = [f"{s.name}.gz" for s in data.MNIST_FILES]
    files = fetch_mnist(mirrors=(serve(synthetic, truncate=names), serve(synthetic)))
    assert read_idx(files.train_images).shape == (60, 28, 28)


def test_corrupt_cached_file_is_fetched_again(synthetic, serve):
    url = serve(synthetic)
    files = fetch_mnist(mirrors=(url,))
    files.train_labels.write_bytes(b"garbage")
    again = fetch_mnist(mirrors=(url,))
    assert again.train_labels.read_bytes() == (synthetic / again.train_labels.name).read_bytes()


def test_offline_without_data_says_what_to_do(synthetic):
    unreachable = "http://127.0.0.1:9/"  # the discard port: nothing listens there
    with pytest.raises(DataNotFoundError) as info:
        fetch_mnist(mirrors=(unreachable,))
    message = str(info.value)
    assert str(data.cache_dir() / "mnist") in message
    assert unreachable in message
    assert data.DATA_DIR_ENV in message


# --- the tutorial's CSVs ---------------------------------------------------------------


def test_csv_round_trips_through_pandas(synthetic, tmp_path):
    train_csv, test_csv = fetch_mnist_csv(synthetic, tmp_path / "csv")
    for split, path in (("train", train_csv), ("test", test_csv)):
        files = fetch_mnist(synthetic, mirrors=())
        images = read_idx(getattr(files, f"{split}_images"))
        labels = read_idx(getattr(files, f"{split}_labels"))
        frame = pd.read_csv(path, header=None)
        assert frame.shape == (len(labels), 785)
        np.testing.assert_array_equal(frame[0].to_numpy(), labels)
        np.testing.assert_array_equal(frame.iloc[:, 1:].to_numpy(), images.reshape(len(images), -1))


def test_csv_text_is_exactly_the_tutorial_format(synthetic, tmp_path):
    train_csv, _ = fetch_mnist_csv(synthetic, tmp_path / "csv")
    files = fetch_mnist(synthetic, mirrors=())
    images, labels = read_idx(files.train_images), read_idx(files.train_labels)
    expected = "".join(
        ",".join(str(v) for v in [label, *image.ravel()]) + "\n"
        for label, image in zip(labels, images, strict=True)
    )
    assert train_csv.read_text() == expected


def test_csv_is_written_once_and_rewritten_when_damaged(synthetic, tmp_path):
    train_csv, _ = fetch_mnist_csv(synthetic, tmp_path / "csv")
    good = train_csv.read_bytes()
    stamp = train_csv.stat().st_mtime_ns
    fetch_mnist_csv(synthetic, tmp_path / "csv")
    assert train_csv.stat().st_mtime_ns == stamp
    train_csv.write_bytes(good[: len(good) // 2])
    fetch_mnist_csv(synthetic, tmp_path / "csv")
    assert train_csv.read_bytes() == good


def test_a_fresh_csv_is_judged_by_size_and_time_not_by_hashing(synthetic, tmp_path, monkeypatch):
    fetch_mnist_csv(synthetic, tmp_path / "csv")
    hashed = []
    monkeypatch.setattr(csvfiles, "_sha256_file", lambda path: hashed.append(path) or "")
    fetch_mnist_csv(synthetic, tmp_path / "csv")
    assert hashed == []


def _same_size_same_time_other_bytes(path):
    """Damage that size and time cannot see: a flipped byte, the time put back."""
    stat = path.stat()
    content = bytearray(path.read_bytes())
    content[0] = ord("9") if content[0] != ord("9") else ord("8")
    path.write_bytes(bytes(content))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.parametrize(
    "damage",
    [
        lambda csv: csv.unlink(),
        lambda csv: csv.write_bytes(csv.read_bytes()[:100]),  # cut short: another size
        lambda csv: os.utime(csv, ns=(0, 0)),  # same bytes, touched: not as written
        lambda csv: csv.with_name(csv.name + ".json").unlink(),  # no record
        lambda csv: csv.with_name(csv.name + ".json").write_text("{damaged"),
        lambda csv: csv.with_name(csv.name + ".json").write_text('{"size": 1}'),
    ],
    ids=["missing", "other size", "other time", "no record", "damaged record", "short record"],
)
def test_a_changed_csv_or_record_is_written_again(synthetic, tmp_path, damage):
    train_csv, _ = fetch_mnist_csv(synthetic, tmp_path / "csv")
    good = train_csv.read_bytes()
    damage(train_csv)
    assert not csvfiles.csv_is_fresh(train_csv)
    fetch_mnist_csv(synthetic, tmp_path / "csv")
    assert train_csv.read_bytes() == good
    assert csvfiles.csv_is_fresh(train_csv, verify=True)


def test_verify_finds_damage_that_size_and_time_cannot(synthetic, tmp_path):
    train_csv, _ = fetch_mnist_csv(synthetic, tmp_path / "csv")
    good = train_csv.read_bytes()
    _same_size_same_time_other_bytes(train_csv)
    fetch_mnist_csv(synthetic, tmp_path / "csv")
    assert train_csv.read_bytes() != good  # the cheap check trusts it, as designed
    fetch_mnist_csv(synthetic, tmp_path / "csv", verify=True)
    assert train_csv.read_bytes() == good
