"""Networks in safetensors files, as the Train it yourself page downloads them.

The page writes the format by hand in JavaScript (train.js); :func:`page_file` writes it
the same way here, byte for byte the layout of the safetensors specification, so the
loader is tested against what a browser produces as well as against the library's own
files. Every bad file gets one sentence, from the function and from the command line.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
import torch

from mnisttutor import Classifier, InvalidDataError, load_classifier, save_classifier
from mnisttutor.cli import main

NAMES = ["model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"]


def page_file(tensors: dict[str, np.ndarray], metadata=None) -> bytes:
    """A safetensors file as train.js writes one: float32, little-endian, header padded
    with spaces to 8 bytes."""
    header, offset = {}, 0
    for name, value in tensors.items():
        size = value.size * 4
        header[name] = {
            "dtype": "F32",
            "shape": list(value.shape),
            "data_offsets": [offset, offset + size],
        }
        offset += size
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    data = b"".join(np.ascontiguousarray(v, "<f4").tobytes() for v in tensors.values())
    return struct.pack("<Q", len(text)) + text + data


def tensors_of(classifier) -> dict[str, np.ndarray]:
    return {name: value.numpy() for name, value in classifier.state_dict().items()}


@pytest.fixture
def network():
    torch.manual_seed(0)
    return Classifier(hidden=20)


def test_a_file_written_as_the_page_writes_it_loads_the_same_network(network, tmp_path):
    path = tmp_path / "mnist-network.safetensors"
    path.write_bytes(page_file(tensors_of(network), {"lr": "0.01"}))
    loaded = load_classifier(path)
    x = torch.rand(5, 784)
    assert torch.equal(loaded(x), network(x))
    assert loaded.model[0].out_features == 20


def test_save_classifier_writes_safetensors_with_metadata(network, tmp_path):
    from safetensors import safe_open

    path = tmp_path / "net.safetensors"
    save_classifier(network, path, metadata={"source": "test"})
    assert path.read_bytes()[8:9] == b"{"
    with safe_open(path, "pt") as file:
        assert file.metadata() == {"source": "test"}
    x = torch.rand(2, 784)
    assert torch.equal(load_classifier(path)(x), network(x))
    with pytest.raises(ValueError, match=r"metadata is kept in \.safetensors files only"):
        save_classifier(network, tmp_path / "net.pt", metadata={"source": "test"})


def test_the_format_is_read_from_the_bytes_not_the_name(network, tmp_path):
    path = tmp_path / "named-like-torch.pt"
    path.write_bytes(page_file(tensors_of(network)))
    assert load_classifier(path).model[0].out_features == 20


def damaged(tensors):
    good = page_file(tensors)
    return {
        "truncated": good[: len(good) - 100],
        "header cut": good[:40],
        "garbage header": struct.pack("<Q", 16) + b"{not json at all",
        "absurd header length": struct.pack("<Q", 2**40) + b"{}",
        "empty": b"",
    }


@pytest.mark.parametrize("kind", list(damaged({"a": np.zeros(2, "f4")})))
def test_a_damaged_or_truncated_file_is_one_clear_sentence(network, tmp_path, kind):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(damaged(tensors_of(network))[kind])
    with pytest.raises(InvalidDataError, match="damaged, truncated or not a weights file") as e:
        load_classifier(path)
    assert "\n" not in str(e.value)


def wrong_shapes(tensors):
    tensors["model.2.weight"] = tensors["model.2.weight"][:, :10]
    return tensors


def nan_weights(tensors):
    tensors["model.0.bias"][3] = np.nan
    return tensors


def infinite_weights(tensors):
    tensors["model.2.weight"][0, 0] = np.inf
    return tensors


def another_network(tensors):
    return {"encoder.weight": np.zeros((4, 4), "f4"), "encoder.bias": np.zeros(4, "f4")}


def a_missing_layer(tensors):
    del tensors["model.2.bias"]
    return tensors


def an_extra_tensor(tensors):
    tensors["model.4.weight"] = np.zeros((10, 10), "f4")
    return tensors


def three_dimensional_first_layer(tensors):
    tensors["model.0.weight"] = tensors["model.0.weight"].reshape(20, 28, 28)
    return tensors


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (wrong_shapes, r"model\.2\.weight has shape \(10, 10\) where the network needs \(10, 20\)"),
        (nan_weights, r"model\.0\.bias holds NaN or infinite weights"),
        (infinite_weights, r"model\.2\.weight holds NaN or infinite weights"),
        (another_network, r"holds no Classifier .* as it has no first layer model\.0\.weight"),
        (a_missing_layer, r"the tutorial's network has no model\.2\.bias"),
        (an_extra_tensor, r"holds model\.4\.weight, which it has not"),
        (three_dimensional_first_layer, r"no first layer model\.0\.weight"),
    ],
)
def test_a_foreign_file_is_one_clear_sentence(network, tmp_path, change, message):
    path = tmp_path / "foreign.safetensors"
    path.write_bytes(page_file(change(tensors_of(network))))
    with pytest.raises(InvalidDataError, match=message) as e:
        load_classifier(path)
    assert "\n" not in str(e.value)


def test_nan_weights_in_a_torch_file_are_refused_too(network, tmp_path):
    with torch.no_grad():
        network.model[0].weight[0, 0] = float("nan")
    path = tmp_path / "nan.pt"
    save_classifier(network, path)
    with pytest.raises(InvalidDataError, match="NaN or infinite weights"):
        load_classifier(path)


@pytest.mark.parametrize(
    "change",
    [None, wrong_shapes, nan_weights, another_network],
    ids=lambda c: getattr(c, "__name__", "damaged"),
)
def test_evaluate_refuses_bad_files_in_one_line(network, tmp_path, synthetic, capsys, change):
    path = tmp_path / "bad.safetensors"
    tensors = tensors_of(network)
    path.write_bytes(page_file(change(tensors)) if change else page_file(tensors)[:60])
    assert main(["evaluate", str(path), "--data-dir", str(synthetic)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"mnisttutor: error: {path}: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_evaluate_scores_a_page_file(network, tmp_path, synthetic, capsys):
    from mnisttutor import MnistDataset, evaluate, fetch_mnist_csv

    path = tmp_path / "mnist-network.safetensors"
    path.write_bytes(page_file(tensors_of(network)))
    csv = tmp_path / "csv"
    assert main(["evaluate", str(path), "--data-dir", str(synthetic), "--csv-dir", str(csv)]) == 0
    out = capsys.readouterr().out
    test = MnistDataset(fetch_mnist_csv(synthetic, csv).test)
    right = round(evaluate(network, test) * len(test))
    assert f"{100 * right / len(test):.2f}%, {right:,} of {len(test):,} right" in out
