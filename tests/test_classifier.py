"""The tutorial's Classifier, the refined network, evaluate(), and saving and loading weights."""

from __future__ import annotations

import pickle
from functools import partial
from types import SimpleNamespace

import pytest
import torch
from torch import nn

from mnisttutor import (
    Classifier,
    MnistTutorError,
    evaluate,
    load_classifier,
    refined_classifier,
    save_classifier,
)
from mnisttutor.errors import InvalidDataError


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


def test_choices_are_parameters():
    C = Classifier(
        hidden=50,
        activation=nn.LeakyReLU,
        loss_function=nn.MSELoss(),
        optimiser=torch.optim.Adam,
        lr=0.001,
    )
    assert C.model[0].out_features == 50
    assert isinstance(C.model[1], nn.LeakyReLU)
    assert isinstance(C.optimiser, torch.optim.Adam)
    assert C.optimiser.defaults["lr"] == 0.001


def _hand_written_refined(**options) -> Classifier:
    """The refined network as the walkthroughs, benchmark and tests spelled it out."""
    return Classifier(
        activation=partial(nn.LeakyReLU, 0.02),
        output_activation=nn.Sigmoid,
        layer_norm=True,
        optimiser=partial(torch.optim.Adam, fused=True),
        **options,
    )


@pytest.mark.parametrize(
    "options",
    [{"lr": 0.001}, {"lr": 0.003}, {"lr": 0.01, "hidden": 32}],
    ids=["walkthroughs", "benchmark", "minibatch test"],
)
def test_refined_classifier_is_the_hand_written_network(options):
    torch.manual_seed(0)
    expected = _hand_written_refined(**options)
    expected_rng = torch.get_rng_state()
    torch.manual_seed(0)
    got = refined_classifier(**options)
    assert torch.equal(torch.get_rng_state(), expected_rng)  # what follows draws alike
    assert [repr(m) for m in got.model] == [repr(m) for m in expected.model]
    assert repr(got.loss_function) == repr(expected.loss_function)
    assert type(got.optimiser) is type(expected.optimiser) is torch.optim.Adam
    assert got.optimiser.defaults == expected.optimiser.defaults
    assert got.optimiser.defaults["fused"] is True
    images, targets = torch.rand(8, 784), torch.eye(10)[torch.arange(8) % 10]
    for classifier in (expected, got):
        for _ in range(3):  # Adam's steps, so its state and learning rate count too
            classifier.train(images, targets)
    assert expected.state_dict().keys() == got.state_dict().keys()
    for name, tensor in expected.state_dict().items():
        assert torch.equal(got.state_dict()[name], tensor), name


@pytest.mark.parametrize("option", ["activation", "output_activation", "layer_norm", "optimiser"])
def test_refined_classifier_refuses_to_change_what_makes_it_refined(option):
    with pytest.raises(MnistTutorError, match=rf"sets {option} itself.*Classifier\(") as caught:
        refined_classifier(lr=0.001, **{option: nn.ReLU})
    assert not isinstance(caught.value, TypeError)


def test_refined_classifier_needs_a_learning_rate_and_known_options():
    with pytest.raises(TypeError, match="'lr'"):
        refined_classifier()
    with pytest.raises(TypeError, match="'hiden'"):
        refined_classifier(lr=0.001, hiden=30)


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


def test_eval_and_train_mode_still_work():
    C = Classifier()
    assert C.eval() is C
    assert not C.training
    assert not C.model.training
    assert C.train(False) is C
    assert not C.training
    assert C.train() is C
    assert C.training
    assert C.model.training
    assert C.train(mode=False) is C
    assert not C.training
    assert C.counter == 0


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


def test_refined_network_saves_and_loads_through_its_factory(tmp_path):
    torch.manual_seed(0)
    C = refined_classifier(hidden=20, lr=0.001)
    with torch.no_grad():  # move the LayerNorm off its default scale and shift
        C.model[2].weight.uniform_(0.5, 1.5)
        C.model[2].bias.uniform_(-0.5, 0.5)
    path = tmp_path / "refined.pt"
    save_classifier(C, path)
    loaded = load_classifier(path, build=refined_classifier, lr=0.001)
    assert [repr(m) for m in loaded.model] == [repr(m) for m in C.model]
    x = torch.rand(3, 784)
    assert torch.equal(C(x), loaded(x))
    with pytest.raises(InvalidDataError, match="holds no Classifier weights"):
        load_classifier(path)  # the tutorial's network has no LayerNorm
    with pytest.raises(TypeError, match="'lr'"):  # the caller's mistake, not the file's
        load_classifier(path, build=refined_classifier)


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
    with pytest.raises(InvalidDataError, match="holds no Classifier weights"):
        load_classifier(path)


def test_loading_a_non_torch_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(InvalidDataError, match=r"notes\.txt"):
        load_classifier(path)
