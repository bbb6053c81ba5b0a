"""The tutorial's Classifier, the refined network, evaluate(), and saving and loading weights."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mnisttutor import (
    Classifier,
    RefinedClassifier,
    evaluate,
    load_classifier,
    save_classifier,
)
from mnisttutor.errors import InvalidDataError

DATA = Path(__file__).resolve().parent / "data"


def test_the_tutorial_network():
    C = Classifier()
    assert [type(m) for m in C.model] == [nn.Linear, nn.Sigmoid, nn.Linear, nn.Sigmoid]
    assert (C.model[0].in_features, C.model[0].out_features, C.model[2].out_features) == (
        784,
        200,
        10,
    )
    assert isinstance(C.loss_function, nn.BCELoss)
    assert isinstance(C.optimiser, torch.optim.SGD)
    assert C.optimiser.defaults["lr"] == 0.01


def test_the_refined_network():
    C = RefinedClassifier(hidden=30, lr=0.003)
    layers = [nn.Linear, nn.LeakyReLU, nn.LayerNorm, nn.Linear, nn.Sigmoid]
    assert [type(m) for m in C.model] == layers
    assert C.model[1].negative_slope == 0.02
    assert C.model[2].normalized_shape == (30,)
    assert isinstance(C.loss_function, nn.BCELoss)
    assert type(C.optimiser) is torch.optim.Adam
    assert C.optimiser.defaults["lr"] == 0.003
    assert C.optimiser.defaults["fused"] is True
    assert not isinstance(C, Classifier)  # so the fast path, for Classifier only, refuses it


def test_refined_step_is_leaky_relu_layer_norm_and_adam_written_out():
    """Reference test: one step of the module against the same maths in functional form."""
    torch.manual_seed(0)
    C = RefinedClassifier(hidden=16, lr=0.01)
    w1, b1, g, beta, w2, b2 = (p.detach().clone().requires_grad_() for p in C.parameters())
    x, t = torch.rand(8, 784), torch.eye(10)[torch.arange(8) % 10]
    C.train(x, t)
    h = nn.functional.leaky_relu(x @ w1.T + b1, 0.02)
    h = (h - h.mean(1, keepdim=True)) / torch.sqrt(h.var(1, unbiased=False, keepdim=True) + 1e-5)
    y = torch.sigmoid((h * g + beta) @ w2.T + b2)
    reference = [w1, b1, g, beta, w2, b2]
    optimiser = torch.optim.Adam(reference, lr=0.01)
    nn.functional.binary_cross_entropy(y, t).backward()
    optimiser.step()
    for expected, got in zip(reference, C.parameters(), strict=True):
        torch.testing.assert_close(got, expected)


@pytest.mark.parametrize("network", [Classifier, RefinedClassifier])
def test_modes_and_progress_work_for_both_networks(network):
    C = network(hidden=8)
    assert C.train(False) is C
    assert not C.training
    assert not C.model.training
    assert C.train() is C
    assert C.model.training
    x, t = torch.rand(4, 784), torch.eye(10)[:4]
    for _ in range(20):
        C.train(x, t)
    assert C.counter == 20
    assert len(C.progress) == 2
    assert C.progress[1] < C.progress[0]


def test_tutorial_train_call_steps_and_records_progress():
    torch.manual_seed(0)
    C = Classifier()
    before = C.model[0].weight.detach().clone()
    x, t = torch.rand(784), torch.eye(10)[3]
    for _ in range(25):
        assert C.train(x, t) is None
    assert C.counter == 25
    assert len(C.progress) == 2  # steps 10 and 20
    assert not torch.equal(before, C.model[0].weight)
    assert C.progress[1] < C.progress[0]


def test_train_matches_a_plain_module_step():
    torch.manual_seed(0)
    C = Classifier()
    reference = Classifier()
    reference.load_state_dict(C.state_dict())
    x, t = torch.rand(784), torch.eye(10)[7]
    C.train(x, t)
    loss = nn.BCELoss()(reference.model(x), t)
    loss.backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.01 * p.grad
    for a, b in zip(C.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(a, b)


def test_evaluate_equals_the_item_by_item_score():
    torch.manual_seed(0)
    data = SimpleNamespace(images=torch.rand(500, 784), labels=torch.randint(0, 10, (500,)))
    C = Classifier()
    for image, label in zip(data.images[:300], data.labels[:300], strict=True):
        C.train(image, torch.eye(10)[label])
    score = 0
    for image, label in zip(data.images, data.labels, strict=True):  # the tutorial's loop
        answer = C.forward(image).detach().numpy()
        if answer.argmax() == label.item():
            score += 1
    assert evaluate(C, data) == score / len(data.labels)
    assert C.training  # evaluate restores the mode it found


def test_save_and_load_round_trip(tmp_path):
    C = Classifier(hidden=20)
    path = tmp_path / "weights.pt"
    save_classifier(C, path)
    loaded = load_classifier(path)
    x = torch.rand(3, 784)
    assert torch.equal(C(x), loaded(x))


def test_the_refined_network_saves_and_loads_as_itself(tmp_path):
    torch.manual_seed(0)
    C = RefinedClassifier(hidden=20, lr=0.001)
    with torch.no_grad():  # move the LayerNorm off its default scale and shift
        C.model[2].weight.uniform_(0.5, 1.5)
        C.model[2].bias.uniform_(-0.5, 0.5)
    path = tmp_path / "refined.pt"
    save_classifier(C, path)
    loaded = load_classifier(path, lr=0.003)
    assert type(loaded) is RefinedClassifier
    assert loaded.optimiser.defaults["lr"] == 0.003
    x = torch.rand(3, 784)
    assert torch.equal(C(x), loaded(x))


def test_weights_saved_by_version_0_1_0_still_load():
    """Files written by save_classifier before the refined network had a class of its own."""
    expected = torch.load(DATA / "outputs-0.1.0.pt", weights_only=True)
    for name, network in [("classifier", Classifier), ("refined", RefinedClassifier)]:
        loaded = load_classifier(DATA / f"{name}-0.1.0.pt")
        assert type(loaded) is network
        with torch.no_grad():
            # Same weights, same outputs up to float32 rounding: the matrix product's
            # summation order depends on the CPU's kernels and thread count, so outputs
            # recorded on another machine need not match bit for bit.
            outputs = loaded.eval()(expected["inputs"])
            torch.testing.assert_close(outputs, expected[name], rtol=1e-6, atol=1e-6)


class _Exploit:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_loading_refuses_pickled_code(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    with path.open("wb") as f:
        pickle.dump({"model.0.weight": _Exploit()}, f)
    with pytest.raises(InvalidDataError, match="cannot be loaded as saved weights"):
        load_classifier(path)
    assert "must never run" not in capsys.readouterr().out


@pytest.mark.parametrize("content", [{"something": torch.zeros(3)}, [1, 2, 3]])
def test_loading_other_weights_is_a_clear_error(tmp_path, content):
    path = tmp_path / "other.pt"
    torch.save(content, path)
    with pytest.raises(InvalidDataError, match="holds no Classifier or RefinedClassifier weights"):
        load_classifier(path)


def test_loading_a_non_torch_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InvalidDataError, match=r"notes\.txt"):
        load_classifier(path)
