"""The shared refined network: trained once by the one recipe, then loaded unchanged."""

from types import SimpleNamespace

import pytest
import torch

from mnisttutor import InvalidDataError, RefinedClassifier, trained


def small_data(seed=0, n=96):
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    return SimpleNamespace(
        images=torch.rand(n, 784, generator=generator), targets=torch.eye(10)[labels]
    )


@pytest.fixture
def count_training(monkeypatch):
    calls = []
    real = trained.train_refined

    def counting(dataset):
        calls.append(dataset)
        return real(dataset)

    monkeypatch.setattr(trained, "train_refined", counting)
    return calls


def test_trained_once_then_loaded_with_the_same_weights_and_time(tmp_path, count_training):
    data = small_data()
    first = trained.refined_network(data, tmp_path)
    again = trained.refined_network(data, tmp_path)
    assert len(count_training) == 1
    assert (first.trained_now, again.trained_now) == (True, False)
    assert isinstance(again.classifier, RefinedClassifier)
    assert again.seconds == first.seconds > 0
    for a, b in zip(
        first.classifier.state_dict().values(), again.classifier.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b)


def test_the_recipe_is_repeatable():
    data = small_data()
    a, b = trained.train_refined(data), trained.train_refined(data)
    assert torch.equal(a(data.images), b(data.images))


def test_other_data_or_another_recipe_trains_afresh(tmp_path, count_training, monkeypatch):
    trained.refined_network(small_data(seed=0), tmp_path)
    trained.refined_network(small_data(seed=1), tmp_path)
    assert len(count_training) == 2
    monkeypatch.setitem(trained.RECIPE, "epochs", 1)
    trained.refined_network(small_data(seed=0), tmp_path)
    assert len(count_training) == 3
    assert len(list(tmp_path.glob("refined-*.pt"))) == 3


def test_a_damaged_saved_network_is_a_clear_error(tmp_path):
    data = small_data()
    trained.refined_network(data, tmp_path)
    (weights,) = tmp_path.glob("refined-*.pt")
    weights.write_bytes(b"not a network")
    with pytest.raises(InvalidDataError, match=r"cannot be loaded.*Remove .* trained again"):
        trained.refined_network(data, tmp_path)
