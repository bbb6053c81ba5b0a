"""The "your turn" exercises (issue 27): for each, the page's idea applied is correct, the
starter is not attempted, and typical mistakes get a sentence that points at them.

Each answer is judged as a workbook's check judges it: the cell's values, and the cell
itself, which some checks run again on other inputs (another model, another dataset,
the meta device), so that a number typed in, or code that ignores ``device``, shows."""

from __future__ import annotations

import pytest
import torch
from test_exercises import expect, judge_cell
from test_pages import DATASET_PAGE, from_page
from torch import nn

from mnisttutor import exercises
from mnisttutor.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, dataset

PageDataset = from_page(DATASET_PAGE, "MnistDataset")


def _learn(c, km, miles, learning_rate):
    error = miles - c * km
    return c + learning_rate * error / km, error


CONTEXT = {
    "marathon_errors": lambda: {"machine": lambda km, c: c * km},
    "marathon_learning": lambda: {"learn": _learn, "LEARNING_RATE": 0.2},
    "gradient_check": dict,
    "time_matmul": lambda: {"device": torch.device("cpu")},
    "parameter_count": lambda: {
        "model": nn.Sequential(nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid())
    },
    "accuracy_per_digit": lambda: {"C3": None, "mnist_test_dataset": []},
}


@pytest.fixture
def digit_data():
    """Section 5's names: the page's class, and a training set read from a check CSV."""
    with dataset.check_csv() as train, dataset.check_csv(seed=1) as test:
        yield {
            "MnistDataset": PageDataset,
            "mnist_dataset": PageDataset(train),
            "mnist_test_dataset": PageDataset(test),
            "train_csv": train,
            "test_csv": test,
        }


def context(name, digit_data=None):
    return digit_data if name == "digit_counts" else CONTEXT[name]()


def run(name, code, names):
    return judge_cell(name, code, names)


YOUR_TURN = [name for name, e in exercises.EXERCISES.items() if e.your_turn]


def test_each_workbook_has_its_your_turn():
    assert len(YOUR_TURN) == 7
    for name in YOUR_TURN:
        exercise = exercises.EXERCISES[name]
        assert exercise.section, name
        assert exercise.intro, name
        assert exercise._hint, name
        assert "use its idea" in exercise.intro, name


@pytest.mark.parametrize("name", YOUR_TURN)
def test_the_idea_applied_is_correct_and_the_starter_not_attempted(name, digit_data):
    exercise = exercises.EXERCISES[name]
    solution = exercise._solution
    if name == "accuracy_per_digit":  # the solution's last line tries it on the page's C3
        solution = solution.rsplit("\n\n", 1)[0]
    expect(run(name, solution, context(name, digit_data)), CORRECT)
    expect(run(name, exercise.starter, context(name, digit_data)), NOT_ATTEMPTED)


MISTAKES = {  # name: [(the learner's cell, words of the sentence that names the mistake)]
    "marathon_errors": [
        ("marathon_errors = [machine(42.195, c) - 26.2188 for c in (0.5, 0.6, 0.7)]\n"
         "closest_c = 0.6", "wrong sign"),
        ("marathon_errors = [62.1371 - machine(100, c) for c in (0.5, 0.6, 0.7)]\n"
         "closest_c = 0.6", "errors for 100 km"),
        ("marathon_errors = [26.2188 - machine(42.195, c) for c in (0.5, 0.6, 0.7)]\n"
         "closest_c = min((0.5, 0.6, 0.7), key=lambda c: 26.2188 - machine(42.195, c))",
         "the closest guess has the error smallest in size"),
    ],
    "marathon_learning": [
        ("marathon_c, marathon_steps = 0.5, 0\n"
         "if abs(26.2188 - marathon_c * 42.195) >= 0.01:\n"
         "    marathon_c, _ = learn(marathon_c, 42.195, 26.2188, LEARNING_RATE)\n"
         "    marathon_steps += 1", "repeat the step while the error is 0.01 miles or more"),
        ("marathon_c, marathon_steps, error = 0.5, 0, 1.0\n"
         "while abs(error) >= 0.01:\n"
         "    marathon_c, error = learn(marathon_c, 42.195, 26.2188, LEARNING_RATE)\n"
         "    marathon_steps += 1", "the error learn() returns is the one before its step"),
        ("marathon_c, marathon_steps = 0.5, 0\n"
         "while abs(26.2188 - marathon_c * 42.195) >= 0.01:\n"
         "    marathon_c, _ = learn(marathon_c, 42.195, 26.2188, LEARNING_RATE)\n"
         "    marathon_steps += 2", "count each step once"),
    ],
    "gradient_check": [
        ("def f(t):\n    return t**2 * torch.sin(t)\n\nt = torch.tensor(2.0, requires_grad=True)\n"
         "f(t).backward()\nautograd_slope = t.grad.item()\nh = 0.01\n"
         "numeric_slope = ((f(t + h) - f(t)) / h).item()", "one point beside it"),
        ("def f(t):\n    return t**2 * torch.sin(t)\n\nt = torch.tensor(2.0, requires_grad=True)\n"
         "f(t).backward()\nautograd_slope = t.grad.item()\nh = 0.01\n"
         "numeric_slope = (f(t + h) - f(t - h)) / h", "divide the rise by 2 * h"),
        ("def f(t):\n    return t**2 * torch.sin(t)\n\nt = torch.tensor(2.0, requires_grad=True)\n"
         "f(t).backward()\nautograd_slope = f(t).item()\nh = 0.01\nnumeric_slope = 0",
         "f's value at t, not its slope"),
    ],
    "time_matmul": [
        ("from mnisttutor.timing import best_time\nsize = 64\n"
         "m = torch.rand(size, size, device=device)\nproduct = m * m\n"
         "seconds = best_time(torch.matmul, m, m, device=device)",
         "each number of m by itself (m * m)"),
        ("from mnisttutor.timing import best_time\nsize = 64\nm = torch.rand(size, size)\n"
         "product = m @ m\nseconds = best_time(torch.matmul, m, m, device=device)",
         'device = torch.device("meta"), m is on cpu'),
    ],
    "digit_counts": [
        ("digit_counts = mnist_dataset.data_df[0].value_counts().tolist()",
         "sort the counts by digit"),
        ("digit_counts = mnist_dataset.data_df[0].value_counts()", "sort it by its index"),
        ("digit_counts = mnist_test_dataset.data_df[0].value_counts().sort_index().tolist()",
         "test set's counts"),
    ],
    "parameter_count": [
        ("parameter_count = sum(p.numel() for n, p in model.named_parameters() if 'weight' in n)",
         "counts the weights only"),
        ("parameter_count = len(list(model.parameters()))", "how many tensors"),
        ("parameter_count = 159_010", "not typed in"),
    ],
    "accuracy_per_digit": [
        ("def accuracy_per_digit(C, mnist_test_dataset):\n    right = [0] * 10\n"
         "    for label, image, target in mnist_test_dataset:\n"
         "        right[label] += int(C.forward(image).argmax() == label)\n"
         "    return [r / len(mnist_test_dataset) for r in right]",
         "divided by all the test images"),
        ("def accuracy_per_digit(C, mnist_test_dataset):\n    right, seen = [0] * 10, [0] * 10\n"
         "    for label, image, target in mnist_test_dataset:\n"
         "        answer = int(C.forward(image).argmax())\n        seen[answer] += 1\n"
         "        right[answer] += int(answer == label)\n"
         "    return [r / max(s, 1) for r, s in zip(right, seen)]",
         "grouped by the network's answer"),
        ("def accuracy_per_digit(C, mnist_test_dataset):\n    right = [0] * 10\n"
         "    for label, image, target in mnist_test_dataset:\n"
         "        right[label] += int(C.forward(image).argmax() == label)\n"
         "    return right", "how many were right for each digit"),
    ],
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [(name, code, words) for name, cases in MISTAKES.items() for code, words in cases],
)
def test_typical_mistakes_get_a_sentence_that_points_at_them(name, code, words, digit_data):
    expect(run(name, code, context(name, digit_data)), INCORRECT, words)


def test_every_your_turn_has_two_typical_mistakes():
    assert set(MISTAKES) == set(YOUR_TURN)
    assert all(len(cases) >= 2 for cases in MISTAKES.values())
