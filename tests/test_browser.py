"""The network export for the "Draw a digit" page: exact round trips and clear errors."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

from mnisttutor import InvalidDataError, RefinedClassifier
from mnisttutor.browser import PREFIX, SUFFIX, export_network, read_network, read_samples


@pytest.fixture
def refined():
    torch.manual_seed(0)
    return RefinedClassifier(lr=0.001)


def test_export_reads_back_exactly(refined, tmp_path):
    with torch.no_grad():  # move the LayerNorm off its default scale and shift
        refined.model[2].weight.uniform_(0.5, 1.5)
        refined.model[2].bias.uniform_(-0.5, 0.5)
    path = export_network(refined.model, tmp_path / "net.js", description="a test")
    images = torch.rand(50, 784)
    with torch.no_grad():
        assert torch.equal(read_network(path)(images), refined.model(images))
    assert [type(m) for m in read_network(path)] == [type(m) for m in refined.model]


def test_export_is_a_script_that_sets_one_global(refined, tmp_path):
    text = export_network(refined.model, tmp_path / "net.js", accuracy=0.97).read_text()
    assert text.startswith("window.mnistNetwork = {")
    assert text.endswith("};\n")
    network = json.loads(text[len(PREFIX) : -len(SUFFIX)])
    assert network["info"] == {"accuracy": 0.97}
    assert [layer["type"] for layer in network["layers"]] == [
        "linear", "leaky_relu", "layer_norm", "linear", "sigmoid"
    ]  # fmt: skip


def test_samples_are_stored_as_grey_levels(refined, tmp_path):
    images = torch.randint(0, 256, (3, 784)) / 255
    labels = torch.tensor([7, 2, 1])
    path = export_network(refined.model, tmp_path / "net.js", samples=(images, labels))
    read_images, read_labels = read_samples(path)
    assert torch.equal(read_labels, labels)
    assert torch.allclose(read_images, images, atol=1e-7)


def test_a_layer_the_page_cannot_run_is_refused(tmp_path):
    model = nn.Sequential(nn.Linear(784, 10), nn.Dropout(), nn.Sigmoid())
    with pytest.raises(InvalidDataError, match="cannot export a Dropout layer"):
        export_network(model, tmp_path / "net.js")


def test_a_network_that_does_not_take_784_pixels_is_refused(tmp_path):
    with pytest.raises(InvalidDataError, match="takes 100 inputs"):
        export_network(nn.Sequential(nn.Linear(100, 10)), tmp_path / "net.js")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("var x = 1;\n", "not a network exported by"),
        (PREFIX + "{not json" + SUFFIX, "damaged"),
        (PREFIX + '{"format": 99, "layers": []}' + SUFFIX, "format 99, expected 1"),
        (
            PREFIX + '{"format": 1, "layers": [{"type": "linear", "in": 784, "out": 10,'
            ' "weight": "AAAA", "bias": "AAAA"}]}' + SUFFIX,
            "a layer of the exported network is damaged",
        ),
        (
            PREFIX + '{"format": 1, "layers": [{"type": "softmax"}]}' + SUFFIX,
            "unknown layer type 'softmax'",
        ),
    ],
)
def test_reading_a_bad_file_says_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "net.js"
    path.write_text(content)
    with pytest.raises(InvalidDataError, match=message):
        read_network(path)


def test_reading_samples_from_an_export_without_them_says_so(refined, tmp_path):
    path = export_network(refined.model, tmp_path / "net.js")
    with pytest.raises(InvalidDataError, match="holds no example digits"):
        read_samples(path)
