"""The docs extension behind the "Train it yourself" page (docs/_ext/train_page.py)."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest
import torch

from mnisttutor import Classifier, data
from mnisttutor.browser import read_network

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("train_page", ROOT / "docs/_ext/train_page.py")
train_page = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train_page)


def test_seed_is_read_from_section_6s_page():
    assert train_page.section_6_seed(train_page.SECTION_6.read_text()) == 0


def test_seed_is_the_last_one_before_the_classifier():
    source = "torch.manual_seed(3)\nx = 1\ntorch.manual_seed(7)\nC = Classifier()\n"
    assert train_page.section_6_seed(source) == 7


@pytest.mark.parametrize(
    "source", ["C = Classifier()\n", "torch.manual_seed(0)\nC = Classifier(hidden=100)\n"]
)
def test_a_page_that_no_longer_seeds_its_classifier_is_a_clear_error(source):
    with pytest.raises(ValueError, match=r"no longer seeds torch before `C = Classifier\(\)`"):
        train_page.section_6_seed(source)


def test_initial_network_is_section_6s_and_leaves_the_random_state_alone(tmp_path):
    files = [{"key": "train_images", "path": "mnist/x.gz", "bytes": 3}]
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    path = train_page.export_initial_network(tmp_path, files)
    assert torch.equal(torch.rand(1), expected_next)
    torch.manual_seed(0)
    for name, value in Classifier().model.state_dict().items():
        assert torch.equal(read_network(path).state_dict()[name], value), name
    info = json.loads(path.read_text().split("=", 1)[1].rstrip(";\n"))["info"]
    assert (info["seed"], info["lr"], info["files"]) == (0, 0.01, files)


def test_mnist_files_are_published_gzipd_even_from_raw_copies(synthetic, monkeypatch):
    raw = synthetic / data.MNIST_FILES[0].name
    raw.write_bytes(gzip.decompress((synthetic / f"{raw.name}.gz").read_bytes()))
    (synthetic / f"{raw.name}.gz").unlink()  # this one only raw, the others gzip'd
    monkeypatch.setenv(data.DATA_DIR_ENV, str(synthetic))
    target = synthetic.parent / "site"
    listed = train_page.publish_mnist(target)
    assert [f["key"] for f in listed] == [spec.key for spec in data.MNIST_FILES]
    for entry, spec in zip(listed, data.MNIST_FILES, strict=True):
        published = target / Path(entry["path"]).name
        assert entry["path"] == f"mnist/{spec.name}.gz"
        assert entry["bytes"] == published.stat().st_size
        assert gzip.decompress(published.read_bytes())[:2] == b"\0\0"  # an IDX header


def scraper_call(target: Path, **example_globals):
    block_vars = {"target_file": str(target), "example_globals": example_globals}
    return train_page.record_reference(None, block_vars, {})


def test_the_reference_run_is_recorded_from_section_6s_run(tmp_path):
    target = tmp_path / train_page.SECTION_6.name
    network = Classifier(hidden=20)
    network.progress, network.counter = [0.5, 0.25, 0.125], 30
    test = list(range(8))
    assert scraper_call(target, C3=network) == ""  # not scored yet: nothing written
    assert not (tmp_path / train_page.REFERENCE.name).exists()
    assert scraper_call(target, C3=network, score=0.75, mnist_test_dataset=test) == ""
    recorded = json.loads((tmp_path / train_page.REFERENCE.name).read_text())
    assert recorded == {
        "losses": [0.5, 0.25, 0.125],
        "right": 6,
        "count": 8,
        "hidden": 20,
        "lr": 0.01,
        "steps": 30,
        "scored": [{"steps": 30, "right": 6}],
    }


def test_the_reference_run_is_scored_after_its_first_epoch_too(tmp_path):
    """The page's network trained for one epoch by the tutorial's loop, ``C``, is scored
    as :func:`mnisttutor.evaluate` scores it (the page's scoring loop counts the same)."""
    from mnisttutor import evaluate

    class TestSet:  # what the scraper reads of a MnistDataset
        images = torch.rand(50, 784)
        labels = torch.randint(0, 10, (50,))

        def __len__(self):
            return 50

    torch.manual_seed(0)
    target = tmp_path / train_page.SECTION_6.name
    three, one = Classifier(hidden=20), Classifier(hidden=20)
    three.counter, one.counter = 30, 10
    test = TestSet()
    right = round(evaluate(one, test) * 50)
    scraper_call(target, C3=three, score=0.5, mnist_test_dataset=test, C=one)
    recorded = json.loads((tmp_path / train_page.REFERENCE.name).read_text())
    assert recorded["scored"] == [{"steps": 10, "right": right}, {"steps": 30, "right": 25}]
    # A network that is not an earlier stage of the run adds nothing.
    scraper_call(target, C3=three, score=0.5, mnist_test_dataset=test, C=three)
    recorded = json.loads((tmp_path / train_page.REFERENCE.name).read_text())
    assert recorded["scored"] == [{"steps": 30, "right": 25}]
