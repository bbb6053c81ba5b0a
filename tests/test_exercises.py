"""Every exercise: its solution passes, the starter is "not attempted", each known mistake
gets its own message, and hostile code (raises, None, wrong type or shape, never ends)
gets a plain "incorrect", never a traceback."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pytest
import torch
from test_pages import DATASET_PAGE, NETWORK_PAGE, from_page
from torch import nn

from mnisttutor import exercises
from mnisttutor.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, ____, _core, _isolation
from mnisttutor.exercises._session import CellRun

ROOT = Path(__file__).resolve().parents[1]


def _original():
    spec = importlib.util.spec_from_file_location(
        "original_tutorial", ROOT / "benchmarks" / "original_tutorial.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


original = _original()


def expect(result, status, words=""):
    assert result.status == status, result
    assert words.lower() in result.message.lower(), result
    assert "Traceback" not in result.message
    return result


def judge_cell(name: str, source: str, namespace: dict | None = None):
    """The verdict on ``source`` as a notebook cell that has just run in ``namespace``:
    what a check in a workbook judges (its values, and the cell, to run it again)."""
    namespace = {"torch": torch, "nn": nn, "____": ____, **(namespace or {})}
    with warnings.catch_warnings():  # a notebook shows the learner's warnings; no test fails
        warnings.simplefilter("ignore")
        exec(source, namespace)
    exercise = exercises.EXERCISES[name]
    values = {n: namespace[n] for n in exercise.names if n in namespace}
    run = CellRun(1, source, source, None, values, namespace)
    return exercise.result(*(values.get(n, ____) for n in exercise.names), run=run)


# --- section 1 -----------------------------------------------------------------------------


def test_km_error():
    ex = exercises.km_error
    expect(ex.result(62.1371 - 50.0, 62.1371, 50.0), CORRECT)
    expect(ex.result(____, 62.1371, 50.0), NOT_ATTEMPTED)
    expect(ex.result(50.0 - 62.1371, 62.1371, 50.0), INCORRECT, "wrong sign")
    expect(ex.result(3.0, 62.1371, 50.0), INCORRECT, "not how far")
    expect(ex.result(None, 62.1371, 50.0), INCORRECT, "NoneType, not a number")
    expect(ex.result("12", 62.1371, 50.0), INCORRECT, "str, not a number")
    expect(ex.result(torch.ones(3), 62.1371, 50.0), INCORRECT, "shape (3,)")
    expect(ex.result(torch.tensor(12.1371), 62.1371, 50.0), CORRECT)


KM_CELL = "c = 0.5\nguess = machine(km, c)\nerror = {}\n"
KM_NAMES = {"km": 100.0, "true_miles": 62.1371, "machine": lambda km, c: c * km}


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        ("true_miles - guess", CORRECT, ""),
        ("-(guess - true_miles)", CORRECT, ""),
        # Right for the page's numbers, wrong for others: the cell, run again, shows it.
        ("abs(guess - true_miles)", INCORRECT, "true_miles = 30: error lost its sign"),
        ("abs(true_miles - guess)", INCORRECT, "error lost its sign"),
        ("62.1371 - 50", INCORRECT, "error is still 12.1371: compute it from true_miles"),
        ("12.1371", INCORRECT, "not from numbers typed in"),
        ("guess - true_miles", INCORRECT, "wrong sign"),
    ],
)
def test_km_error_judges_the_cell_not_only_its_value(answer, status, words):
    expect(judge_cell("km_error", KM_CELL.format(answer), dict(KM_NAMES)), status, words)
    if answer.startswith("abs"):  # also when a later cell has set km to another distance
        names = {**KM_NAMES, "km": 42.195, "true_miles": 26.2188}
        expect(judge_cell("km_error", KM_CELL.format(answer), names), status, "lost its sign")


def _learn(c, km, miles, learning_rate):
    error = miles - c * km
    return c + learning_rate * error / km, error


def test_km_update():
    ex = exercises.km_update
    expect(ex.result(_learn), CORRECT)
    expect(ex.result(lambda c, km, miles, rate: c + rate * (miles - c * km) / km), CORRECT)
    expect(ex.result(lambda c, km, miles, rate: (____, miles - c * km)), NOT_ATTEMPTED)
    expect(ex.result(lambda c, km, m, r: (c - r * (m - c * km) / km, 0)), INCORRECT, "wrong way")
    expect(ex.result(lambda c, km, m, r: (c + (m - c * km) / km, 0)), INCORRECT, "learning rate")
    expect(ex.result(lambda c, km, m, r: (c + r * (m - c * km), 0)), INCORRECT, "divide")
    expect(ex.result(lambda c, km, m, r: 1 / 0), INCORRECT, "raised ZeroDivisionError")
    expect(ex.result(lambda c, km, m, r: None), INCORRECT, "NoneType, not a number")
    expect(ex.result(42), INCORRECT, "not a function")


def test_km_update_with_the_global_learning_rate_is_named():
    """The issue's learner: c + LEARNING_RATE * error / km, the page's global rate."""
    rate = 0.2

    def learn(c, km, miles, learning_rate):
        error = miles - c * km
        return c + rate * error / km, error

    result = expect(exercises.km_update.result(learn), INCORRECT, "learning rate of 0.2")
    assert "use the argument learning_rate" in result.message
    assert "divide" not in result.message  # not the hint about km, which is not the mistake


# --- section 3 -----------------------------------------------------------------------------


def test_autograd_x():
    ex = exercises.autograd_x
    expect(ex.result(torch.tensor(3.5, requires_grad=True)), CORRECT)
    expect(ex.result(____), NOT_ATTEMPTED)
    expect(ex.result(torch.tensor(3.5)), INCORRECT, "without requires_grad")
    expect(
        ex.result(torch.tensor(3.0, requires_grad=True)), INCORRECT, "not the walkthrough's value"
    )
    expect(ex.result(3.5), INCORRECT, "float, not a PyTorch tensor")
    expect(ex.result(None), INCORRECT, "not a PyTorch tensor")
    expect(ex.result(torch.ones(2, requires_grad=True)), INCORRECT, "shape (2,)")
    expect(ex.result(torch.tensor(3)), INCORRECT, "floating point")


def test_autograd_y_backward_and_grad():
    x = torch.tensor(3.5, requires_grad=True)
    y = (x - 1) * (x - 2) * (x - 3)
    expect(exercises.autograd_y.result(y, x), CORRECT)
    expect(exercises.autograd_y.result(x**3 - 6 * x**2 + 11 * x - 6, x), CORRECT)
    expect(exercises.autograd_y.result(____, x), NOT_ATTEMPTED)
    expect(exercises.autograd_y.result(1.875, x), INCORRECT, "plain number")
    expect(exercises.autograd_y.result(y.detach(), x), INCORRECT, "no grad_fn")
    expect(exercises.autograd_y.result((x - 1) * (x - 2), x), INCORRECT, "check the expression")
    expect(exercises.autograd_y.result(y, torch.tensor(3.5)), INCORRECT, "requires_grad")

    expect(exercises.autograd_backward.result(x), NOT_ATTEMPTED)
    y.backward(retain_graph=True)
    expect(exercises.autograd_backward.result(x), CORRECT)
    expect(exercises.autograd_grad.result(x.grad), CORRECT)
    expect(exercises.autograd_grad.result(x.grad.item()), CORRECT)
    expect(exercises.autograd_grad.result(____), NOT_ATTEMPTED)
    expect(exercises.autograd_grad.result(x), INCORRECT, "x itself")
    expect(exercises.autograd_grad.result(y), INCORRECT, "y's value")
    expect(exercises.autograd_grad.result(None), INCORRECT, "empty until")
    expect(exercises.autograd_grad.result("5.75"), INCORRECT, "not a number")
    y.backward()
    expect(exercises.autograd_backward.result(x), INCORRECT, "backward() ran twice")


X_AND_Y = "x = torch.tensor(3.5, requires_grad=True)\ny = (x - 1) * (x - 2) * (x - 3)\n"


def test_autograd_backward_in_its_cell():
    expect(judge_cell("autograd_backward", X_AND_Y + "y.backward()"), CORRECT)
    expect(judge_cell("autograd_backward", X_AND_Y + "x.backward()"), INCORRECT, "x.grad is 1")
    # A line that does nothing: attempted, so not "not attempted".
    expect(judge_cell("autograd_backward", X_AND_Y + "y.backward"), INCORRECT, "still empty")
    older = X_AND_Y + "x = torch.tensor(3.5, requires_grad=True)\ny.backward()"
    expect(judge_cell("autograd_backward", older), INCORRECT, "older x")
    shipped = X_AND_Y + exercises.autograd_backward.starter
    expect(judge_cell("autograd_backward", shipped), NOT_ATTEMPTED)


def test_no_check_writes_into_the_learners_tensors(capsys):
    """A fallback leaves the learner's x alone: once they fill in y.backward(), x.grad is
    the gradient, not twice it (the issue's "backward() was called twice")."""
    x = torch.tensor(3.5, requires_grad=True)
    y = (x - 1) * (x - 2) * (x - 3)
    assert exercises.autograd_backward.yours_or_ours(x, y) is None
    assert exercises.autograd_grad.yours_or_ours(None, x, y).item() == 5.75
    assert x.grad is None
    y.backward()
    expect(exercises.autograd_backward.result(x, y), CORRECT)


@pytest.mark.parametrize(
    ("answer", "words", "unwanted"),
    [
        ("x.grad()", "takes no ()", "* missing"),
        ("1.0()", "takes no ()", "* missing"),
        ("(x - 1)(x - 2)", "is a * missing", ""),
    ],
)
def test_a_call_of_what_is_no_function_is_named_for_what_it_is(answer, words, unwanted):
    source = X_AND_Y + f"y.backward()\ngradient = {answer}\n"
    try:
        with warnings.catch_warnings():  # 1.0() is a SyntaxWarning, then a TypeError
            warnings.simplefilter("ignore")
            exec(source, {"torch": torch})
    except TypeError as exc:
        text = _core.describe(exc, source)
    assert words in text, text
    assert not unwanted or unwanted not in text, text


def test_gradient_is_y_grad_after_backward_is_named():
    """The issue's learner: gradient = y.grad, after y.backward() ran. It is None, and
    not because backward() has not run."""
    result = judge_cell("autograd_grad", X_AND_Y + "y.backward()\ngradient = y.grad")
    expect(result, INCORRECT, "stores a gradient on the leaf tensor")
    assert "until y.backward() has run" not in result.message


# --- section 4 -----------------------------------------------------------------------------


def test_to_device(monkeypatch):
    ex = exercises.to_device
    expect(ex.result(nn.Linear(3, 2), torch.rand(3, 3)), CORRECT)  # the best device here
    expect(ex.result(____, ____), NOT_ATTEMPTED)
    expect(ex.result(nn.Linear(3, 2), ____), NOT_ATTEMPTED)
    on_meta = nn.Linear(3, 2).to("meta")  # a device that needs no accelerator
    expect(ex.result(on_meta, torch.rand(3, 3)), INCORRECT, "the model is on meta, not on device")
    expect(ex.result("model", torch.rand(3)), INCORRECT, "not a PyTorch nn.Module")
    expect(ex.result(nn.Linear(3, 2), [1, 2]), INCORRECT, "not a PyTorch tensor")
    expect(ex.result(nn.Linear(3, 2), torch.rand(3)), INCORRECT, "shape (3,), not 3 x 3")
    expect(ex.result(nn.Linear(3, 4), torch.rand(3, 3)), INCORRECT, "nn.Linear(3, 2)")
    monkeypatch.setattr(exercises.basics, "best_device", lambda: torch.device("meta"))
    expect(ex.result(nn.Linear(3, 2), torch.rand(3, 3)), INCORRECT, "a is on cpu, not on device")
    # On the meta device values have no storage: .item(), .numpy() and .cpu() fail, as a
    # forgotten .cpu() would on an accelerator. The check must pass without them.
    expect(ex.result(nn.Linear(3, 2).to("meta"), torch.rand(3, 3, device="meta")), CORRECT)


DEVICE_CELL = "b = torch.ones(3).to(device)\n{}\n"


@pytest.mark.parametrize(
    ("answer", "status", "words"),
    [
        ("a = torch.rand(3, 3, device=device)\nmodel = torch.nn.Linear(3, 2).to(device)",
         CORRECT, ""),
        ("a = torch.rand(3, 3).to(device)\nmodel = torch.nn.Linear(3, 2).to(device)", CORRECT, ""),
        # No device at all: right on a machine without a GPU, caught by running the cell
        # again with device = meta.
        ("a = torch.rand(3, 3)\nmodel = torch.nn.Linear(3, 2)", INCORRECT,
         'device = torch.device("meta"), a is on cpu'),
        ("a = torch.rand(3, 3, device=device)\nmodel = torch.nn.Linear(3, 2)", INCORRECT,
         "the model is on cpu"),
        ('a = torch.rand(3, 3, device="cpu")\nmodel = torch.nn.Linear(3, 2).to(device)',
         INCORRECT, "meta"),
    ],
)  # fmt: skip
def test_to_device_catches_a_missing_device_on_a_machine_without_a_gpu(answer, status, words):
    expect(
        judge_cell("to_device", DEVICE_CELL.format(answer), {"device": torch.device("cpu")}),
        status,
        words,
    )


def test_the_device_exercise_names_no_images():
    """The issue's 3 x 3 device exercise got a hint about 784-pixel images."""
    result = exercises.to_device.result(nn.Linear(2, 2), torch.rand(3, 3))
    expect(result, INCORRECT, "nn.Linear(3, 2) takes 3 inputs")
    assert "784" not in result.message


# --- section 5 -----------------------------------------------------------------------------


Dataset = from_page(DATASET_PAGE, "MnistDataset")  # the page's class, and a base for mistakes


def _with_getitem(change):
    """A dataset whose __getitem__ returns change(label, image, target)."""

    class Changed(Dataset):
        def __getitem__(self, index):
            return change(*super().__getitem__(index))

    return Changed


def _with_len(fn):
    return type("Changed", (Dataset,), {"__len__": fn})


def test_dataset_len():
    ex = exercises.dataset_len
    expect(ex.result(Dataset), CORRECT)
    expect(ex.result(original.MnistDataset), CORRECT)
    expect(ex.result(_with_len(lambda self: ____)), NOT_ATTEMPTED)
    expect(ex.result(_with_len(lambda self: self.data_df.shape[1])), INCORRECT, "columns")
    expect(ex.result(_with_len(lambda self: len(self.data_df) - 1)), INCORRECT, "one short")
    expect(ex.result(_with_len(lambda self: 7)), INCORRECT, "returned 7")
    expect(ex.result(_with_len(lambda self: None)), INCORRECT, "returned None")
    expect(ex.result(_with_len(lambda self: 200.0)), INCORRECT, "float, not a whole")
    expect(ex.result(_with_len(lambda self: self.nothing)), INCORRECT, "raised AttributeError")
    expect(ex.result(_with_len(lambda self: sys.exit(3))), INCORRECT, "raised SystemExit: 3")
    expect(ex.result("MnistDataset"), INCORRECT, "not a class")


def test_a_getitem_that_shares_one_target_is_named():
    """Battery 2: one target tensor for every item, changed in place: each item looks
    right when read alone, and a DataLoader batch holds four copies of the last."""

    class Shared(Dataset):
        def __init__(self, csv_file):
            super().__init__(csv_file)
            self.target = torch.zeros(10)

        def __getitem__(self, index):
            label, image, _ = super().__getitem__(index)
            self.target.zero_()
            self.target[label] = 1.0
            return label, image, self.target

    expect(exercises.dataset_getitem.result(Shared), INCORRECT, "the same target tensor")


def test_a_namedtuple_item_is_right():
    from collections import namedtuple

    Item = namedtuple("Item", "label image target")
    expect(exercises.dataset_getitem.result(_with_getitem(Item)), CORRECT)


def test_dataset_init_that_raises():
    class Broken(Dataset):
        def __init__(self, csv_file):
            raise OSError("no such file")

    expect(exercises.dataset_len.result(Broken), INCORRECT, "Broken(csv_file) raised OSError")


def test_dataset_getitem():
    ex = exercises.dataset_getitem
    expect(ex.result(Dataset), CORRECT)
    expect(ex.result(original.MnistDataset), CORRECT)  # torch.FloatTensor, as published
    bad = {
        "not scaled to 0-1": lambda label, image, target: (label, image * 255, target),
        "not the row's pixels divided by 255": lambda la, im, t: (la, im * 255 / 256, t),
        "one-hot 1 is at the wrong index": lambda la, im, t: (la, im, t.roll(1)),
        "target is torch.int64": lambda la, im, t: (la, im, t.long()),
        "target has shape (1, 10)": lambda la, im, t: (la, im, t[None]),
        "target has shape ()": lambda la, im, t: (la, im, torch.tensor(float(la))),
        "all zeros but for a single 1": lambda la, im, t: (la, im, t * 2),
        "target is a list": lambda la, im, t: (la, im, t.tolist()),
        "numpy array": lambda la, im, t: (la, im.numpy(), t),
        "include the label column": lambda la, im, t: (la, torch.cat([im[:1], im]), t),
        "shape (28, 28)": lambda la, im, t: (la, im.reshape(28, 28), t),
        "torch.float64": lambda la, im, t: (la, im.double(), t),
        "the label is a tensor": lambda la, im, t: (t, im, t),
        "not the label in its row": lambda la, im, t: ((la + 1) % 10, im, t),
        "three things": lambda la, im, t: (im, t),
        "returned None": lambda la, im, t: None,
    }
    for words, change in bad.items():
        expect(ex.result(_with_getitem(change)), INCORRECT, words)
    expect(ex.result(_with_getitem(lambda la, im, t: (____, ____, ____))), NOT_ATTEMPTED)
    expect(ex.result(_with_getitem(lambda la, im, t: (la, im, 1 / 0))), INCORRECT, "raised")


# --- section 6 -----------------------------------------------------------------------------


Network = from_page(NETWORK_PAGE, "Classifier")  # the page's class, and a base for mistakes


def _init(hidden=200, lr=0.01, last=nn.Sigmoid):
    def __init__(self):
        Network.__init__(self)
        self.model = nn.Sequential(
            nn.Linear(784, hidden), nn.Sigmoid(), nn.Linear(hidden, 10), last()
        )
        self.optimiser = torch.optim.SGD(self.parameters(), lr=lr)

    return type("Changed", (Network,), {"__init__": __init__})


def _step(fn):
    """The page's class with its training step replaced by ``fn(self, inputs, targets)``."""

    def train(self, inputs=True, targets=None):
        if targets is None:
            return Network.train(self, inputs)
        return fn(self, inputs, targets)

    return type("Changed", (Network,), {"train": train})


def test_classifier_init():
    ex = exercises.classifier_init
    expect(ex.result(Network), CORRECT)
    expect(ex.result(original.Classifier), CORRECT)

    class Separate(Network):  # a different way of writing the same network
        def __init__(self):
            nn.Module.__init__(self)
            self.hidden, self.out = nn.Linear(784, 200), nn.Linear(200, 10)
            self.model = lambda x: torch.sigmoid(self.out(torch.sigmoid(self.hidden(x))))
            self.loss_function = nn.BCELoss()
            self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)

    expect(ex.result(Separate), CORRECT)
    expect(ex.result(_init(hidden=100)), INCORRECT, "hidden layer has 100 nodes")
    expect(ex.result(_init(lr=0.1)), INCORRECT, "learning rate is 0.1")
    expect(ex.result(_init(lr=0.1 * 0.1)), CORRECT)  # 0.010000000000000002
    expect(ex.result(_init(lr=torch.tensor(0.01))), CORRECT)
    expect(ex.result(_init(last=nn.Identity)), INCORRECT, "sigmoid after the last layer")
    expect(ex.result(_init(last=lambda: nn.Softmax(dim=-1))), INCORRECT, "outputs differ")

    class Blank(Network):
        def __init__(self):
            nn.Module.__init__(self)
            self.model = self.loss_function = self.optimiser = ____

    expect(ex.result(Blank), NOT_ATTEMPTED)

    class MeanSquared(Network):
        def __init__(self):
            super().__init__()
            self.loss_function = nn.MSELoss()

    expect(ex.result(MeanSquared), INCORRECT, "not binary cross-entropy")

    class NoBrackets(Network):  # the issue's: "Boolean value of Tensor ... is ambiguous"
        def __init__(self):
            nn.Module.__init__(self)
            self.model = nn.Sequential(
                nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid()
            )
            self.loss_function = nn.BCELoss
            self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)

    result = expect(ex.result(NoBrackets), INCORRECT, "the class BCELoss itself")
    assert "nn.BCELoss()" not in result.message  # no solution code in a verdict

    class Adam(Network):
        def __init__(self):
            super().__init__()
            self.optimiser = torch.optim.Adam(self.parameters(), lr=0.01)

    expect(ex.result(Adam), INCORRECT, "plain SGD")

    class OptimiserFirst(nn.Module):
        def __init__(self):
            super().__init__()
            self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)

    expect(ex.result(OptimiserFirst), INCORRECT, "empty parameter list")

    class NeedsArgument(Network):
        def __init__(self, size):
            super().__init__()

    expect(ex.result(NeedsArgument), INCORRECT, "Classifier() raised TypeError")

    class NotAModule:
        pass

    expect(ex.result(NotAModule), INCORRECT, "not an nn.Module")
    expect(ex.result(None), INCORRECT, "not a class")


def test_classifier_train():
    ex = exercises.classifier_train
    expect(ex.result(Network), CORRECT)
    note = expect(ex.result(original.Classifier), CORRECT, "eval()")  # the published override
    assert "hides nn.Module's train" in note.message

    def no_zero_grad(self, inputs, targets):
        loss = self.loss_function(self.forward(inputs), targets)
        self.counter += 1
        if self.counter % 10 == 0:
            self.progress.append(loss.item())
        loss.backward()
        self.optimiser.step()

    expect(ex.result(_step(no_zero_grad)), INCORRECT, "never cleared (zero_grad)")

    def twice(self, inputs, targets):
        loss = self.loss_function(self.forward(inputs), targets)
        self.optimiser.zero_grad()
        loss.backward()
        loss.backward()
        self.optimiser.step()

    expect(ex.result(_step(twice)), INCORRECT, "backward() was called twice on the same loss")

    def no_step(self, inputs, targets):
        loss = self.loss_function(self.forward(inputs), targets)
        self.optimiser.zero_grad()
        loss.backward()

    expect(ex.result(_step(no_step)), INCORRECT, "never took its step")

    outside = torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.01)

    def global_optimiser(self, inputs, targets):  # the optimiser.step()
        loss = self.loss_function(self.forward(inputs), targets)
        outside.zero_grad()
        loss.backward()
        outside.step()

    result = expect(ex.result(_step(global_optimiser)), INCORRECT, "does not hold this network's")
    assert "never took its step" not in result.message

    def no_backward(self, inputs, targets):
        self.optimiser.step()

    expect(ex.result(_step(no_backward)), INCORRECT, "backward() was never called")

    def cleared_late(self, inputs, targets):
        loss = self.loss_function(self.forward(inputs), targets)
        loss.backward()
        self.optimiser.zero_grad()
        self.optimiser.step()

    expect(ex.result(_step(cleared_late)), INCORRECT, "cleared after backward()")

    def no_counter(self, inputs, targets):
        Network.train(self, inputs, targets)
        self.counter -= 1

    expect(ex.result(_step(no_counter)), INCORRECT, "counter is 0")

    def half_done(self, inputs, targets):  # outputs and loss typed, the three calls not
        loss = self.loss_function(self.forward(inputs), targets)
        self.counter += 1
        if self.counter % 10 == 0:
            self.progress.append(loss.item())
        ____  # noqa: B018 -- clear the old gradients (the optimiser's job)
        ____  # noqa: B018 -- work out the new gradients, backwards from the loss
        ____  # noqa: B018 -- update the weights (the optimiser's job)

    expect(ex.result(_step(half_done)), NOT_ATTEMPTED)
    expect(ex.result(_step(lambda self, i, t: 1 / 0)), INCORRECT, "raised ZeroDivisionError")


def test_classifier_train_uses_the_tutorial_layers_while_init_is_unfinished():
    class StepOnly(Network):
        def __init__(self):
            nn.Module.__init__(self)
            self.model = self.loss_function = self.optimiser = ____
            self.counter, self.progress = 0, []

    expect(exercises.classifier_train.result(StepOnly), CORRECT)


def test_training_loop():
    ex = exercises.training_loop
    expect(ex.result(exercises.network.train_network), CORRECT)
    expect(ex.result(original.train), CORRECT)  # train(C, mnist_dataset, epochs=3)

    def blank(C, mnist_dataset, epochs):
        for _ in range(epochs):
            ____  # noqa: B018 -- for each item of mnist_dataset: one training step of C

    expect(ex.result(blank), NOT_ATTEMPTED)

    def one_epoch(C, mnist_dataset, epochs):
        for _label, image, target in mnist_dataset:
            C.train(image, target)

    expect(ex.result(one_epoch), INCORRECT, "each epoch should train once on every image")
    expect(ex.result(lambda C, ds, epochs: None), INCORRECT, "never read the dataset")

    def no_step(C, mnist_dataset, epochs):
        for _ in mnist_dataset:
            pass

    expect(ex.result(no_step), INCORRECT, "never trained")

    other = exercises.dataset.check_dataset()

    def the_global_dataset(C, mnist_dataset, epochs):
        for _ in range(epochs):
            for _label, image, target in other:
                C.train(image, target)

    expect(ex.result(the_global_dataset), INCORRECT, "never read the dataset it was given")

    def soft_targets(C, mnist_dataset, epochs):  # Make Your Own Neural Network's 0.01/0.99
        mnist_dataset.targets.mul_(0.98).add_(0.01)
        exercises.network.train_network(C, mnist_dataset, epochs)

    expect(ex.result(soft_targets), INCORRECT, "changed the dataset's targets")

    def binarised(C, mnist_dataset, epochs):
        mnist_dataset.images.copy_((mnist_dataset.images > 0.5).float())
        exercises.network.train_network(C, mnist_dataset, epochs)

    expect(ex.result(binarised), INCORRECT, "changed the dataset's images")

    def swapped(C, mnist_dataset, epochs):
        for _label, image, target in mnist_dataset:
            C.train(target, image)

    expect(ex.result(swapped), INCORRECT, "raised")

    def reversed_order(C, mnist_dataset, epochs):
        for _ in range(epochs):
            for i in reversed(range(len(mnist_dataset))):
                C.train(*mnist_dataset[i][1:])

    expect(ex.result(reversed_order), INCORRECT, "in order")
    expect(ex.result([1, 2]), INCORRECT, "not a function")


def test_scoring_loop():
    ex = exercises.scoring_loop
    expect(ex.result(exercises.network.score_network), CORRECT)
    expect(ex.result(original.score), CORRECT)

    def count(C, mnist_test_dataset):
        return round(exercises.network.score_network(C, mnist_test_dataset) * 200)

    expect(ex.result(count), INCORRECT, "how many were right")
    expect(ex.result(lambda C, ds: 1 - exercises.network.score_network(C, ds)), INCORRECT, "wrong")
    expect(ex.result(lambda C, ds: (ds[0], None)[1]), INCORRECT, "returned None")
    expect(ex.result(lambda C, ds: (ds[0], "0.4")[1]), INCORRECT, "str, not a number")
    expect(ex.result(lambda C, ds: (ds[0], 0.5)[1]), INCORRECT, "not the share")
    expect(ex.result(lambda C, ds: 0.5), INCORRECT, "never read the dataset it was given")

    def max_not_argmax(C, mnist_test_dataset):  # the answer.max() == label
        score = 0
        for label, image, _target in mnist_test_dataset:
            if C.forward(image).detach().numpy().max() == label:
                score += 1
        return score / len(mnist_test_dataset)

    result = expect(ex.result(max_not_argmax), INCORRECT, "argmax(), not the largest output")
    assert "that is not the share" not in result.message

    def tensor_answer(C, mnist_test_dataset):  # .detach() without .numpy(): counts the same
        score = 0
        for label, image, _target in mnist_test_dataset:
            if C.forward(image).detach().argmax() == label:
                score += 1
        return score / len(mnist_test_dataset)

    expect(ex.result(tensor_answer), CORRECT, "a note: answer stayed a PyTorch tensor")
    expect(ex.result(exercises.network.score_network), CORRECT, "")
    assert ex.result(exercises.network.score_network).message == ""

    def training(C, ds):
        C.train(ds[0][1], ds[0][2])
        return exercises.network.score_network(C, ds)

    expect(ex.result(training), INCORRECT, "changed the network's weights")

    def blank(C, mnist_test_dataset):
        score = 0
        for _label, _image, _target in mnist_test_dataset:
            ____  # noqa: B018 -- if the largest output is at the label, add 1 to score
        return score

    expect(ex.result(blank), NOT_ATTEMPTED)


# --- for every exercise ----------------------------------------------------------------------


def test_code_that_never_ends_is_stopped(monkeypatch):
    monkeypatch.setattr(_isolation, "TIME_LIMIT", 0.3)

    def forever(C, mnist_dataset, epochs):
        while True:
            pass

    expect(exercises.training_loop.result(forever), INCORRECT, "more than 0.3 s")


def test_check_prints_one_line_and_hint_and_solution_print(capsys):
    exercises.km_error.check(12.1371, 62.1371, 50.0)
    exercises.km_error.hint()
    exercises.km_error.solution()
    out = capsys.readouterr().out
    assert out.startswith("Correct.\nHint: ")
    assert "error = true_miles - guess" in out


def test_what_the_readers_code_prints_stays_out_of_the_check(capsys):
    exercises.training_loop.check(original.train)
    assert capsys.readouterr().out == "Correct.\n"


def test_yours_or_ours(capsys):
    assert exercises.dataset_len.yours_or_ours(Dataset) is Dataset
    assert capsys.readouterr().out == ""
    assert exercises.dataset_len.yours_or_ours(_with_len(lambda s: ____)) is not Dataset
    out = capsys.readouterr().out
    assert "MnistDataset is your class with mnisttutor's __len__" in out
    model, data = exercises.to_device.yours_or_ours(____, ____)
    assert isinstance(model, nn.Module)
    assert isinstance(data, torch.Tensor)


@pytest.mark.parametrize("name", sorted(exercises.EXERCISES))
def test_every_exercise_is_described(name):
    ex = exercises.EXERCISES[name]
    assert ex.name == name
    assert ex.task
    assert ex.starter
    assert "____" in ex.starter
    assert ex.check_code == f"exercises.{name}.check()"
    if ex.returns:
        assert ex.carry_on_code.endswith(f" = exercises.{name}.yours_or_ours()")
    else:
        assert ex.carry_on_code is None
    assert ex.result(____).status == NOT_ATTEMPTED
    assert ex.your_turn == (ex.intro is not None)


def test_blank_refuses_every_use():
    for use in (lambda: ____ + 1, lambda: ____.item(), lambda: ____(), lambda: list(____)):
        with pytest.raises(_core.NotAttempted):
            use()
    assert repr(____) == "____"
    assert "mnisttutor.exercises" in sys.modules


def test_the_dataset_fallback_is_the_readers_class_with_the_tutorials_methods(capsys):
    """Issue 20: a workbook times "this page's class" with the fallback while the blanks
    are empty. It must be the page's pandas class, not the package's fast one."""
    blank = _with_len(lambda self: ____)
    fallback = exercises.dataset_len.yours_or_ours(blank)
    assert issubclass(fallback, blank)  # the reader's __init__ and plot_image, kept
    assert not issubclass(fallback, exercises.dataset.MnistDataset)
    with exercises.dataset.check_csv() as path:
        ours, page = fallback(path), Dataset(path)
        assert len(ours) == len(page) == exercises.dataset.CHECK_ROWS
        for index in (0, 57, 199):
            (label, image, target), expected = ours[index], page[index]
            assert label == expected[0]
            assert torch.equal(image, expected[1])
            assert torch.equal(target, expected[2])


def test_a_loop_over_another_dataset_that_times_out_says_so(monkeypatch):
    """The issue's learner looped over the page's 10,000 test images inside
    score_network: told "a loop that never ends", though the loop ends."""
    monkeypatch.setattr(_isolation, "TIME_LIMIT", 2.0)  # (the check's data takes some)

    def slow_and_elsewhere(C, mnist_test_dataset):
        while True:  # the page's data: long, and never the argument
            C.forward(torch.rand(784))

    result = expect(exercises.scoring_loop.result(slow_and_elsewhere), INCORRECT, "without reading")
    assert "never ends" not in result.message


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("error = true_miles - guess", {"error"}),
        ("c, error = learn(c, km, miles, 0.2)", {"c", "error"}),
        ("def learn(c, km, miles, rate):\n    error = 1\n    return c, error", {"learn"}),
        ("class MnistDataset(Dataset):\n    size = 3", {"MnistDataset"}),
        ("for km in (1, 2):\n    guess = km\n[x for x in range(3)]", {"km", "guess"}),
        ("from torch import nn as neural\nimport numpy.linalg", {"neural", "numpy"}),
        ("error = true_miles -  # a typo\n", {"error"}),  # does not parse: still its name
    ],
)
def test_the_names_a_cell_sets_mark_an_exercises_cell(code, names):
    from mnisttutor.exercises import _session

    assert names <= _session.bound_names(code)
    assert "x" not in _session.bound_names(code)  # a comprehension's own name


def test_a_check_cell_is_never_an_exercises_cell():
    from mnisttutor.exercises import _session

    check = "from mnisttutor import exercises\nexercises.km_error.check()\n"
    carry = "error = exercises.km_error.yours_or_ours()"
    assert not _session.owns(exercises.km_error, check + carry, {"error"})
    assert _session.owns(exercises.km_error, "error = 1", {"error"})
    assert _session.owns(exercises.autograd_backward, "y.backward()", set())
    assert _session.owns(exercises.autograd_backward, exercises.autograd_backward.starter, set())
    assert not _session.owns(exercises.autograd_backward, "f(t).backward()", set())
