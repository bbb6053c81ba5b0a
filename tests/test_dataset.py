"""MnistDataset: the tutorial's items, built once, and clear errors for bad CSVs."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import torch

from mnisttutor import MnistDataset
from mnisttutor.errors import InvalidDataError

matplotlib.use("Agg")


def _write_rows(path, rows):
    path.write_text("".join(",".join(str(v) for v in row) + "\n" for row in rows))
    return path


@pytest.fixture
def rows():
    rng = np.random.default_rng(0)
    return [[int(label), *rng.integers(0, 256, 784).tolist()] for label in (5, 0, 4, 1, 9)]


@pytest.fixture
def csv_file(tmp_path, rows):
    return _write_rows(tmp_path / "mnist.csv", rows)


def test_items_match_the_tutorial(csv_file, rows):
    ds = MnistDataset(csv_file)
    assert len(ds) == 5
    assert ds.data_df.shape == (5, 785)
    for index, row in enumerate(rows):
        label, image_values, image_target = ds[index]
        # The original: FloatTensor(data_df.iloc[index, 1:].values) / 255.0 and a one-hot.
        original = torch.FloatTensor(ds.data_df.iloc[index, 1:].to_numpy(copy=True)) / 255.0
        target = torch.zeros(10)
        target[row[0]] = 1.0
        assert label == row[0]
        assert torch.equal(image_values, original)
        assert image_values.dtype == torch.float32
        assert 0.0 <= image_values.min() <= image_values.max() <= 1.0
        assert torch.equal(image_target, target)


def test_each_image_is_one_contiguous_row(csv_file):
    ds = MnistDataset(csv_file)
    assert ds.images.is_contiguous()
    assert ds.targets.is_contiguous()
    assert ds[3][1].is_contiguous()


def test_plot_image_titles_with_the_label_in_blues(csv_file):
    ds = MnistDataset(csv_file)
    ax = ds.plot_image(4)
    assert ax.get_title() == "label = 9"
    assert ax.images[0].get_cmap().name == "Blues"
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: rows[2].append(0), "row 2 .*has 786 values, expected 785"),
        (lambda rows: rows[3].pop(), "row 3 .*fewer than 785"),
        (lambda rows: rows[1].__setitem__(7, "x"), "row 1 .*non-numeric"),
        (lambda rows: rows[4].__setitem__(0, 10), "row 4 .*label outside 0-9"),
        (lambda rows: rows[0].__setitem__(0, -1), "row 0 .*label outside 0-9"),
        (lambda rows: rows[2].__setitem__(100, 256), "row 2 .*pixels outside 0-255"),
        (lambda rows: rows[3].__setitem__(5, 1.5), "row 3 .*not whole numbers"),
    ],
)
def test_bad_csv_names_the_row(tmp_path, rows, change, message):
    change(rows)
    path = _write_rows(tmp_path / "bad.csv", rows)
    with pytest.raises(InvalidDataError, match=message) as info:
        MnistDataset(path)
    assert str(path) in str(info.value)


def test_wrong_column_count_everywhere(tmp_path):
    path = _write_rows(tmp_path / "narrow.csv", [[1, 2, 3]] * 4)
    with pytest.raises(InvalidDataError, match="has 3 columns, expected 785"):
        MnistDataset(path)


def test_empty_csv(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(InvalidDataError, match=r"empty\.csv"):
        MnistDataset(path)


def test_head_is_the_first_items_and_refuses_sizes_it_cannot_give(csv_file):
    ds = MnistDataset(csv_file)
    first = ds.head(2)
    assert len(first) == 2
    for i in range(2):
        label, image, target = first[i]
        assert label == ds[i][0]
        assert torch.equal(image, ds[i][1])
        assert torch.equal(target, ds[i][2])
    assert len(ds) > 2, "the original is left whole"
    for n in (0, len(ds) + 1):
        with pytest.raises(ValueError, match="head"):
            ds.head(n)
