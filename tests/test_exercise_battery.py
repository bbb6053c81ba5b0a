"""A battery of learner answers, wrong, right-but-unusual and hostile, against every check,
on both of the checker's paths: a forked child, and in-process with state put back.

The right answers are the walkthroughs' own classes and functions (taken from the example
files, as tests/test_pages.py does), changed one thing at a time. Each case says what a
learner can rely on: the verdict, one bounded sentence, the notebook's state unchanged,
a time limit that holds, and output that stays bounded.
"""

from __future__ import annotations

import io
import os
import random
import signal
import sys
import threading
import time

import numpy as np
import pytest
import torch
from test_pages import DATASET_PAGE, LOOPS_PAGE, NETWORK_PAGE, from_page
from torch import nn

from mnisttutor import exercises
from mnisttutor.exercises import CORRECT, INCORRECT, ____, _core, _isolation

PageDataset = from_page(DATASET_PAGE, "MnistDataset")
PageClassifier = from_page(NETWORK_PAGE, "Classifier")
page_train_network = from_page(LOOPS_PAGE, "train_network")
page_score_network = from_page(LOOPS_PAGE, "score_network")
LIMIT = 1.0  # seconds: the time limit the hostile cases run under


@pytest.fixture
def short_limit(monkeypatch):
    monkeypatch.setattr(_isolation, "TIME_LIMIT", LIMIT)


def expect(result, status, words=""):
    assert result.status == status, result
    assert words.lower() in result.message.lower(), result
    assert len(str(result)) <= _core.MESSAGE_LIMIT + len("Incorrect: ")
    assert "\n" not in result.message
    assert "Traceback" not in result.message
    return result


def learner(*args):
    return args  # a stand-in, replaced by each case


# --- the learner's process is left as it was ---------------------------------------------


def _snapshot():
    return {
        "torch_rng": torch.random.get_rng_state(),
        "numpy_rng": np.random.get_state()[1].copy(),  # noqa: NPY002 -- the learner's generator
        "random": random.getstate(),
        "cwd": os.getcwd(),  # noqa: PTH109
        "dtype": torch.get_default_dtype(),
        "device": torch.get_default_device(),
        "grad": torch.is_grad_enabled(),
        "stdout": sys.stdout,
        "stderr": sys.stderr,
        "sigint": signal.getsignal(signal.SIGINT),
        "recursion": sys.getrecursionlimit(),
        "bce": nn.BCELoss,
        "environ": dict(os.environ),
        "threads": torch.get_num_threads(),
    }


def _same(before, after):
    for key, value in before.items():
        if isinstance(value, torch.Tensor | np.ndarray):
            assert (value == after[key]).all(), key
        else:
            assert value == after[key], key


def vandal(c, km, miles, learning_rate):
    """A km_update answer that changes everything a check could leave changed."""
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002
    random.seed(123)
    os.chdir("/")
    torch.set_default_dtype(torch.float64)
    torch.set_default_device("meta")
    torch.set_grad_enabled(False)
    sys.stderr = sys.stdout = io.StringIO()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.setrecursionlimit(50_000)
    nn.BCELoss = nn.MSELoss
    os.environ["MNISTTUTOR_VANDAL"] = "1"
    torch.set_num_threads(1)
    return c + learning_rate * (miles - c * km) / km, miles - c * km


def test_the_learners_state_is_left_as_it_was(isolation):
    torch.manual_seed(7)
    before = _snapshot()
    expect(exercises.km_update.result(vandal), CORRECT)
    _same(before, _snapshot())


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("classifier_init", lambda: PageClassifier),
        ("classifier_train", lambda: PageClassifier),
        ("training_loop", lambda: page_train_network),
        ("scoring_loop", lambda: page_score_network),
        ("dataset_getitem", lambda: PageDataset),
    ],
)
def test_a_check_does_not_reseed_the_learners_generator(isolation, name, answer):
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    expect(exercises.EXERCISES[name].result(answer()), CORRECT)
    assert torch.equal(torch.rand(3), expected)


def test_a_thread_the_learners_code_starts_dies_with_the_child(monkeypatch):
    if not _isolation.can_fork():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(_isolation, "FORK", True)
    running = threading.active_count()

    def spawns(c, km, miles, learning_rate):
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        return c + learning_rate * (miles - c * km) / km, 0

    expect(exercises.km_update.result(spawns), CORRECT)
    assert threading.active_count() == running


def test_an_outer_timer_survives_a_check(isolation):
    fired = []

    def outer(signum, frame):
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 30)
    try:
        expect(exercises.km_error.result(12.1371, 62.1371, 50.0), CORRECT)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25 < left <= 30
        assert signal.getsignal(signal.SIGALRM) is outer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired


# --- time limits that hold ---------------------------------------------------------------


def _swallows_everything(c, km, miles, rate):
    while True:
        try:
            time.sleep(0.01)
        except BaseException:
            pass


def _loops_in_finally(c, km, miles, rate):
    try:
        return 1 / 0
    finally:
        while True:
            pass


def _blocks_the_alarm(c, km, miles, rate):
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
    time.sleep(60)  # a long call that no signal reaches


def _beginners_loop(c, km, miles, rate):
    i = 0
    while i < 10:  # no i += 1
        try:
            c = c + 0
        except Exception:
            continue
    return c, 0


HANGS = {
    "fork": [_beginners_loop, _swallows_everything, _loops_in_finally, _blocks_the_alarm],
    # In-process a soft limit is all there is: it stops what catches only Exception.
    "in-process": [_beginners_loop],
}


@pytest.mark.parametrize("case", range(4))
def test_a_check_ends_within_its_limit(isolation, short_limit, case):
    if case >= len(HANGS[isolation]):
        pytest.skip("only a child process can be stopped whatever its code does")
    start = time.monotonic()
    expect(exercises.km_update.result(HANGS[isolation][case]), INCORRECT, "more than 1 s")
    assert time.monotonic() - start < LIMIT + _isolation.GRACE + 1


def test_a_child_that_asks_for_too_much_memory_gets_a_verdict(monkeypatch):
    monkeypatch.setattr(_isolation, "FORK", True)
    result = exercises.km_update.result(lambda c, km, m, r: (torch.empty(2**40), 0))
    expect(result, INCORRECT, "raised")


# --- output stays bounded ----------------------------------------------------------------


def _floods(c, km, miles, rate):
    for _ in range(10_000):
        print("x" * 10_000)  # noqa: T201 -- the flood under test
        sys.stderr.write("y" * 10_000)
    os.write(1, b"z" * 100_000)
    return c + rate * (miles - c * km) / km, 0


def test_output_never_reaches_the_notebook(isolation, capfd):
    expect(exercises.km_update.result(_floods), CORRECT)
    out, err = capfd.readouterr()
    if isolation == "fork":
        assert out == err == ""
    else:  # in-process, only what Python prints is caught; os.write goes through
        assert "x" not in out
        assert "y" not in err


def test_a_huge_exception_message_is_one_short_sentence(isolation):
    def raises_a_megabyte(c, km, miles, rate):
        raise ValueError("spam\n" * 200_000)

    result = expect(exercises.km_update.result(raises_a_megabyte), INCORRECT, "ValueError: spam")
    assert len(result.message) < 200


def test_an_exception_whose_str_raises(isolation):
    class Nasty(Exception):
        def __str__(self):
            raise SystemExit(1)

    def raises(c, km, miles, rate):
        raise Nasty

    expect(exercises.km_update.result(raises), INCORRECT, "raised Nasty")


# --- BaseException anywhere in the learner's objects ----------------------------------------


class Custom(BaseException):
    pass


@pytest.mark.parametrize(
    "exc", [SystemExit(3), GeneratorExit(), Custom("mine"), KeyboardInterrupt()]
)
def test_base_exceptions_from_the_learners_methods(isolation, exc):
    if isolation == "in-process" and isinstance(exc, KeyboardInterrupt):
        pytest.skip("in-process, a KeyboardInterrupt is the reader's own: it must reach them")

    def throw(*args):
        raise exc

    name = type(exc).__name__
    for method in ("__getitem__", "__len__"):
        changed = type("Changed", (PageDataset,), {method: throw})
        ex = exercises.dataset_getitem if method == "__getitem__" else exercises.dataset_len
        expect(ex.result(changed), INCORRECT, name)

    class LyingLength(int):
        def __eq__(self, other):
            raise exc

        __hash__ = int.__hash__

    expect(
        exercises.dataset_len.result(
            type("Changed", (PageDataset,), {"__len__": lambda self: LyingLength(200)})
        ),
        INCORRECT,  # never compared (its __eq__ is not asked): no plain number, no "Correct."
        "a number class of its own",
    )
    broken = type("Broken", (PageClassifier,), {"parameters": throw})
    expect(exercises.classifier_init.result(broken), INCORRECT, name)


# --- fair verdicts -------------------------------------------------------------------------


def test_momentum_is_not_plain_sgd(isolation):
    class WithMomentum(PageClassifier):
        def __init__(self):
            super().__init__()
            self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01, momentum=0.9)

    expect(exercises.classifier_init.result(WithMomentum), INCORRECT, "momentum=0.9")


def _item_change(change):
    class Changed(PageDataset):
        def __getitem__(self, index):
            return change(*super().__getitem__(index))

    return Changed


def test_a_float64_target_is_named(isolation):
    changed = _item_change(lambda la, im, t: (la, im, t.double()))
    expect(exercises.dataset_getitem.result(changed), INCORRECT, "target is torch.float64")


def test_an_image_of_shape_1_784_is_named(isolation):
    changed = _item_change(lambda la, im, t: (la, im[None], t))
    expect(exercises.dataset_getitem.result(changed), INCORRECT, "shape (1, 784)")


def test_a_dataset_that_changes_on_a_second_read(isolation):
    class Drifting(PageDataset):
        def __init__(self, csv_file):
            super().__init__(csv_file)
            self.cache = {}

        def __getitem__(self, index):
            if index not in self.cache:
                self.cache[index] = super().__getitem__(index)
            label, image, target = self.cache[index]
            image /= 255  # in place: the cached tensor changes with every read
            return label, image * 255, target

    expect(exercises.dataset_getitem.result(Drifting), INCORRECT, "changed between two reads")


def test_right_items_of_unusual_types(isolation):
    changed = _item_change(lambda la, im, t: (torch.tensor(int(la)), nn.Parameter(im), t))
    expect(exercises.dataset_getitem.result(changed), CORRECT)
    changed = _item_change(lambda la, im, t: [np.int32(la), im, t])
    expect(exercises.dataset_getitem.result(changed), CORRECT)


def test_a_non_leaf_x_is_named(isolation):
    x = torch.tensor(3.5, requires_grad=True) * 1  # what .to(device) gives on a GPU
    expect(exercises.autograd_x.result(x), INCORRECT, "not a leaf")


def test_a_y_rerun_after_backward_and_a_y_from_an_old_x(isolation):
    x = torch.tensor(3.5, requires_grad=True)
    y = (x - 1) * (x - 2) * (x - 3)
    y.backward()
    y = (x - 1) * (x - 2) * (x - 3)  # the y cell, run again
    expect(exercises.autograd_y.result(y, x), CORRECT)
    expect(exercises.autograd_y.result(y, x), CORRECT)  # and checked twice
    new_x = torch.tensor(3.5, requires_grad=True)
    expect(exercises.autograd_y.result(y, new_x), INCORRECT, "older x")


def _scores(transform):
    def score_network(C, mnist_test_dataset):
        return transform(page_score_network(C, mnist_test_dataset))

    return score_network


class LyingFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


@pytest.mark.parametrize(
    ("transform", "status", "words"),
    [
        (lambda s: torch.tensor(s, dtype=torch.float32), CORRECT, ""),  # a float32 count
        (lambda s: torch.tensor([s]).float().mean().item(), CORRECT, ""),
        (lambda s: np.float32(s), CORRECT, ""),
        (lambda s: np.array(s), CORRECT, ""),  # a 0-d array
        (lambda s: float("nan"), INCORRECT, "not a finite number"),
        (lambda s: LyingFloat(0.5), INCORRECT, "a number class of its own"),
        (lambda s: s * 100, INCORRECT, "percentage"),
        (lambda s: torch.tensor([s, s]), INCORRECT, "shape (2,)"),
    ],
)
def test_scores(isolation, transform, status, words):
    expect(exercises.scoring_loop.result(_scores(transform)), status, words)


def test_a_lying_length_is_judged_by_its_value(isolation):
    class Always(int):
        def __eq__(self, other):
            return True

        def __ne__(self, other):
            return False

        __hash__ = int.__hash__

    changed = type("Changed", (PageDataset,), {"__len__": lambda self: Always(200)})
    expect(exercises.dataset_len.result(changed), INCORRECT, "a number class of its own")


def test_a_class_that_writes_the_checks_csv_harms_no_later_check(isolation):
    class Writes(PageDataset):
        def __init__(self, csv_file):
            open(csv_file, "w").close()  # noqa: PTH123 -- empties the file
            super().__init__(csv_file)

    expect(exercises.dataset_len.result(Writes), INCORRECT, "raised")
    expect(exercises.dataset_len.result(PageDataset), CORRECT)
    expect(exercises.training_loop.result(page_train_network), CORRECT)


def test_a_forward_for_one_image_only_is_named(isolation):
    class OneImage(PageClassifier):
        def forward(self, inputs):
            return self.model(inputs.reshape(784))

    expect(exercises.classifier_init.result(OneImage), INCORRECT, "not on a batch")


def test_tensors_on_two_devices_are_named(isolation):
    class TwoDevices(PageClassifier):
        def forward(self, inputs):
            return self.model(inputs.to("meta"))

    expect(exercises.classifier_init.result(TwoDevices), INCORRECT, "different devices")


def _twice_backward():
    x = torch.tensor(3.5, requires_grad=True)
    y = (x - 1) * (x - 2) * (x - 3)
    y.backward(retain_graph=True)
    y.backward()
    return (x, y)


def _y_and_x():
    x = torch.tensor(3.5, requires_grad=True)
    return ((x - 1) * (x - 2) * (x - 3), x)


def _matmul():
    m = torch.rand(8, 8)
    return 1e-5, m * m, m, 8, torch.device("cpu")


ANSWERS = {  # one answer per exercise, right or wrong: what matters is the same verdict
    "km_error": lambda: (50.0 - 62.1371, 62.1371, 50.0),
    "km_update": lambda: (lambda c, km, m, r: (c + r * (m - c * km), 0),),
    "autograd_x": lambda: (torch.tensor(3.5),),
    "autograd_y": _y_and_x,
    "autograd_backward": _twice_backward,
    "autograd_grad": lambda: (torch.tensor(5.75),),
    "to_device": lambda: (nn.Linear(3, 2), torch.rand(3, 3)),
    "dataset_len": lambda: (PageDataset,),
    "dataset_getitem": lambda: (_item_change(lambda la, im, t: (la, im, t.double())),),
    "classifier_init": lambda: (PageClassifier,),
    "classifier_train": lambda: (PageClassifier,),
    "training_loop": lambda: (page_train_network,),
    "scoring_loop": lambda: (_scores(lambda s: s * 100),),
    "marathon_errors": lambda: ([5.1213, 0.9018, -3.3177], 0.7),
    "marathon_learning": lambda: (0.6211374325185451, 29, 0.2),
    "gradient_check": lambda: (1.9726, 1.9466, torch.tensor(2.0, requires_grad=True), 0.01),
    "time_matmul": _matmul,
    "digit_counts": lambda: ([20] * 10, ____),
    "parameter_count": lambda: (157_000, nn.Sequential(nn.Linear(784, 200), nn.Linear(200, 10))),
    "accuracy_per_digit": lambda: (lambda C, ds: [0.5] * 10,),
}


@pytest.mark.parametrize("name", sorted(exercises.EXERCISES))
def test_the_same_verdict_when_run_twice(isolation, name):
    ex, args = exercises.EXERCISES[name], ANSWERS[name]()
    assert ex.result(*args) == ex.result(*args)


def test_no_fork_once_an_accelerator_runtime_is_in_use(monkeypatch):
    """CUDA (and XPU) cannot be used again in a forked child: checks then run in-process."""
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    assert not _isolation.can_fork()

    def no_child(judge):
        raise AssertionError("forked while CUDA was initialised")

    monkeypatch.setattr(_isolation, "_in_child", no_child)
    expect(exercises.km_error.result(12.1371, 62.1371, 50.0), CORRECT)


def test_the_device_check_moves_no_value_to_the_host(isolation, monkeypatch):
    """On the meta device every value read (.item(), .numpy(), .cpu()) fails, as a missing
    .cpu() fails on an accelerator; the check must judge devices and shapes only."""
    monkeypatch.setattr(exercises.basics, "best_device", lambda: torch.device("meta"))
    model, a = nn.Linear(3, 2).to("meta"), torch.rand(3, 3, device="meta")
    expect(exercises.to_device.result(model, a), CORRECT)
    expect(exercises.to_device.result(model, torch.rand(3, 3)), INCORRECT, "a is on cpu")


def test_a_missing_import_is_named(isolation):
    def uses_nn(c, km, miles, rate):
        return nn_not_imported.Linear(1, 1)  # noqa: F821 -- the mistake under test

    expect(exercises.km_update.result(uses_nn), INCORRECT, "NameError")
    exc = NameError("name 'nn' is not defined", name="nn")
    assert "a missing import: from torch import nn" in _core.describe(exc)
