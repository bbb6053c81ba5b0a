""" "Your turn" exercises: each applies a page's idea somewhere the page does not go, so its
answer is on no page, only here (``solution()``). A workbook puts each at the end of the
page section it builds on (``section``). Nothing after them uses their names, so their
check cells lend nothing.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
import torch
from torch import nn

from .. import timing
from ..device import best_device
from ._core import (
    Incorrect,
    NotAttempted,
    call,
    close,
    context,
    is_blank,
    number,
    plain_tensor,
    rerun,
)  # fmt: skip
from ._exercise import MISSING, Exercise
from .basics import META
from .dataset import CHECK_ROWS, check_csv
from .network import NOTES, SCORE_RIGHT, _run_loop, _score_check_data, _Watched

MARATHON_KM, MARATHON_MILES = 42.195, 26.2188  # a marathon, and 0.621371 of it
GUESSES = (0.5, 0.6, 0.7)


def _numbers(value, what: str, count: int, *, whole: bool = False) -> list:
    """``count`` plain numbers from a list, tuple, array, tensor, pandas Series (in order
    of its index) or dict {0: ..., 1: ...}."""
    if is_blank(value):
        raise NotAttempted
    if isinstance(value, dict):
        if sorted(value) != list(range(count)):
            raise Incorrect(
                f"{what} has keys {sorted(value)!r:.60}; give {count} numbers in order."
            )
        value = [value[k] for k in range(count)]
    elif type(value).__name__ == "Series":  # pandas, by its index
        index = list(value.index)
        if sorted(index) == list(range(count)) and index != list(range(count)):
            raise Incorrect(
                f"{what} is in the order {index}, not 0 to {count - 1}: sort it by its "
                "index (sort_index())."
            )
        value = value.to_numpy()
    if type(value) in (torch.Tensor, np.ndarray):
        value = (plain_tensor(value, what) if isinstance(value, torch.Tensor) else value).tolist()
    if type(value) not in (list, tuple):
        raise Incorrect(f"{what} is a {type(value).__name__}: give a list of {count} numbers.")
    if len(value) != count:
        raise Incorrect(f"{what} holds {len(value)} numbers, not {count}.")
    return [number(v, f"a number in {what}", whole=whole) for v in value]


# --- section 1, page 1: a marathon, by hand --------------------------------------------------


def _check_marathon_errors(errors, closest_c=MISSING):
    errors = _numbers(errors, "marathon_errors", len(GUESSES))
    expected = [MARATHON_MILES - c * MARATHON_KM for c in GUESSES]
    page = [62.1371 - c * 100.0 for c in GUESSES]
    if all(close(a, -b) for a, b in zip(errors, expected, strict=True)):
        raise Incorrect("the errors have the wrong sign: the true answer minus the machine's.")
    if all(close(a, b) for a, b in zip(errors, page, strict=True)):
        raise Incorrect(
            "these are the errors for 100 km, the walkthrough's example: use the marathon's "
            "42.195 km and 26.2188 miles."
        )
    if all(close(a, b) for a, b in zip(errors, expected[::-1], strict=True)):
        raise Incorrect("the errors are in the wrong order: for c = 0.5, then 0.6, then 0.7.")
    for c, mine, right in zip(GUESSES, errors, expected, strict=True):
        if not close(mine, right):
            raise Incorrect(f"for c = {c} the error is not {mine:g}: miles minus c times km.")
    if is_blank(closest_c):
        raise NotAttempted
    closest_c = number(closest_c, "closest_c")
    if close(closest_c, GUESSES[int(np.argmin(expected))]):
        raise Incorrect(
            "closest_c has the most negative error, the one furthest below zero: the closest "
            "guess has the error smallest in size, abs(error)."
        )
    if not close(closest_c, GUESSES[int(np.argmin(np.abs(expected)))]):
        raise Incorrect(f"closest_c is {closest_c:g}: which of the three errors is nearest zero?")


marathon_errors = Exercise(
    "marathon_errors",
    "Compute the machine's error on a marathon for c = 0.5, 0.6 and 0.7, and the closest c.",
    "marathon_errors = ____  # the error on the marathon for c = 0.5, 0.6 and 0.7: 3 numbers\n"
    "closest_c = ____  # the one of those three guesses whose error is nearest zero\n"
    "print(marathon_errors, closest_c)",
    ("marathon_errors", "closest_c"),
    "A list comprehension, [... for c in (0.5, 0.6, 0.7)], makes the three errors; "
    "abs() measures how far each is from zero.",
    "marathon_km, marathon_miles = 42.195, 26.2188\n"
    "marathon_errors = [marathon_miles - machine(marathon_km, c) for c in (0.5, 0.6, 0.7)]\n"
    "closest_c = min((0.5, 0.6, 0.7), key=lambda c: abs(marathon_miles - machine(marathon_km, c)))",
    _check_marathon_errors,
    lambda *values: None,
    returns=0,
    cell_names=("marathon_errors", "closest_c"),
    section="Adjusting c by hand",
    intro="**Your turn: a marathon.** A marathon is 42.195 km, which is 26.2188 miles. "
    "Work out the machine's error on it for each of the guesses c = 0.5, 0.6 and 0.7 (in "
    "that order), and which of the three comes closest. The walkthrough does not do this: use "
    "its idea, and its function `machine`.",
)


# --- section 1, page 2: learning c from a marathon -------------------------------------------

TOLERANCE = 0.01  # miles: when the marathon's error is this small, learning stops


def _marathon_run(rate: float, steps: int | None = None):
    """c and the step count when the error falls below TOLERANCE (or after ``steps``)."""
    c, count = 0.5, 0
    while (steps is None and abs(MARATHON_MILES - c * MARATHON_KM) >= TOLERANCE) or (
        steps is not None and count < steps
    ):
        c += rate * (MARATHON_MILES - c * MARATHON_KM) / MARATHON_KM
        count += 1
        if count > 10_000:
            break
    return c, count


def _check_marathon_learning(marathon_c, marathon_steps, learning_rate=0.2):
    c = number(marathon_c, "marathon_c")
    steps = number(marathon_steps, "marathon_steps", whole=True)
    rate = number(learning_rate, "LEARNING_RATE") if not is_blank(learning_rate) else 0.2
    _, right_steps = _marathon_run(rate)
    if steps == 0:
        raise Incorrect("marathon_steps is 0: no learning step was taken (or counted).")
    if steps == 1 and steps != right_steps:
        raise Incorrect(
            "marathon_steps is 1: one step leaves an error of "
            f"{MARATHON_MILES - _marathon_run(rate, 1)[0] * MARATHON_KM:.3f} miles; repeat the "
            "step while the error is 0.01 miles or more (a while loop)."
        )
    after = _marathon_run(rate, steps)[0] if 0 <= steps <= 10_000 else math.nan
    if not close(c, after):
        raise Incorrect(
            f"marathon_c is not the c after marathon_steps = {steps} steps from 0.5: count "
            "each step once, and give each step the c the one before returned."
        )
    if steps > right_steps:
        error = MARATHON_MILES - _marathon_run(rate, right_steps)[0] * MARATHON_KM
        raise Incorrect(
            f"after {right_steps} steps the error was already {error:.4f} miles, below 0.01, "
            f"but the loop went on to {steps}: the error learn() returns is the one before "
            "its step; test the error of the c you have."
        )
    if steps < right_steps:
        error = MARATHON_MILES - c * MARATHON_KM
        raise Incorrect(
            f"after {steps} steps the error is still {error:.4f} miles: keep going while it "
            "is 0.01 miles or more."
        )
    return None


marathon_learning = Exercise(
    "marathon_learning",
    "Learn c from a marathon alone, until its error is below 0.01 miles; count the steps.",
    "marathon_c, marathon_steps = 0.5, 0\n"
    "____  # while the marathon's error is 0.01 miles or more: a learning step, counted\n"
    'print(f"{marathon_steps} steps: c = {marathon_c:.6f}")',
    ("marathon_c", "marathon_steps", "LEARNING_RATE"),
    "A while loop repeats while its test is true: test the size of the machine's error on "
    "the marathon (abs() gives the size), and give learn the c it returned the step before.",
    "marathon_c, marathon_steps = 0.5, 0\n"
    "while abs(26.2188 - marathon_c * 42.195) >= 0.01:\n"
    "    marathon_c, _ = learn(marathon_c, 42.195, 26.2188, LEARNING_RATE)\n"
    "    marathon_steps += 1\n"
    'print(f"{marathon_steps} steps: c = {marathon_c:.6f}")',
    _check_marathon_learning,
    lambda *values: None,
    returns=0,
    cell_names=("marathon_c", "marathon_steps"),
    section="Learning from every example",
    intro="**Your turn: learn from one marathon.** A marathon is 42.195 km, which is "
    "26.2188 miles. Start again from c = 0.5 and let `learn` take steps on the marathon "
    "alone, with the walkthrough's learning rate, until the machine's error on it is less than "
    "0.01 miles. How many steps does that take? The walkthrough does not do this: use its idea.",
)


# --- section 3: a slope of your own, two ways ------------------------------------------------

T_VALUE = 2.0


def _f(t):
    return t**2 * torch.sin(t)


def _slope_at(t: float) -> float:
    return 2 * t * math.sin(t) + t**2 * math.cos(t)


def _two_points(h: float, left: float, right: float) -> float:
    """The slope between f at T_VALUE + left * h and T_VALUE + right * h, in float64."""
    point = torch.tensor(T_VALUE, dtype=torch.float64)
    return ((_f(point + right * h) - _f(point + left * h)) / ((right - left) * h)).item()


def _check_gradient(autograd_slope, numeric_slope, t=MISSING, h=0.01):
    if is_blank(t):
        raise NotAttempted
    if not isinstance(t, torch.Tensor) or type(t) not in (torch.Tensor, nn.Parameter):
        raise Incorrect(f"t is a {type(t).__name__}, not a PyTorch tensor.")
    if not t.requires_grad:
        raise Incorrect(
            "t was made without requires_grad, so PyTorch records nothing done with it."
        )
    if not close(number(t, "t"), T_VALUE):
        raise Incorrect(f"t is {number(t, 't'):g}, not 2.0.")
    if autograd_slope is None:
        raise Incorrect("autograd_slope is None: t.grad is empty until backward() has run on f(t).")
    slope = _slope_at(T_VALUE)
    auto = number(autograd_slope, "autograd_slope")
    if close(auto, _f(torch.tensor(T_VALUE)).item()):
        raise Incorrect("autograd_slope is f's value at t, not its slope: that is in t.grad.")
    if close(auto, 2 * slope):
        raise Incorrect(
            "autograd_slope is twice the slope: backward() ran twice and t.grad added up; "
            "make t again before each backward()."
        )
    if not close(auto, slope):
        raise Incorrect(f"autograd_slope is {auto:g}, not the slope of f at t.")
    if is_blank(numeric_slope):
        raise NotAttempted
    h = number(h, "h")
    numeric = number(numeric_slope, "numeric_slope")
    if abs(numeric - _two_points(h, -1, 1)) < 2e-3:
        return None
    if abs(numeric - _two_points(h, -1, 1) * 2) < 4e-3:
        raise Incorrect(
            "numeric_slope is twice the slope: t - h and t + h are 2h apart, so divide the "
            "rise by 2 * h."
        )
    if min(abs(numeric - _two_points(h, 0, 1)), abs(numeric - _two_points(h, -1, 0))) < 2e-3:
        raise Incorrect(
            "numeric_slope uses f at t and at one point beside it: take the two points around "
            "t, t - h and t + h, which is closer to the slope at t."
        )
    raise Incorrect(
        f"numeric_slope is {numeric:g}: the rise of f from t - h to t + h, over the run, 2 * h."
    )


gradient_check = Exercise(
    "gradient_check",
    "Find the slope of f(t) = t² sin(t) at t = 2 with autograd, and again from two points.",
    "def f(t):\n"
    "    return t**2 * torch.sin(t)  # a new function, whose slope no walkthrough works out\n"
    "\n"
    "t = ____  # a tensor holding 2.0 that PyTorch records operations on\n"
    "____  # let PyTorch work out df/dt at t\n"
    "autograd_slope = ____  # the slope autograd stored, as a Python number\n"
    "h = 0.01\n"
    "numeric_slope = ____  # the rise of f from t - h to t + h, divided by the run between them\n"
    "print(autograd_slope, numeric_slope)",
    ("autograd_slope", "numeric_slope", "t", "h"),
    "backward() on f(t) fills t.grad, as it filled x.grad in the walkthrough. From two points: "
    "the difference of f's values on either side of t, over the distance between them.",
    "def f(t):\n"
    "    return t**2 * torch.sin(t)\n"
    "\n"
    "t = torch.tensor(2.0, requires_grad=True)\n"
    "f(t).backward()\n"
    "autograd_slope = t.grad.item()\n"
    "h = 0.01\n"
    "numeric_slope = ((f(t + h) - f(t - h)) / (2 * h)).item()\n"
    "print(autograd_slope, numeric_slope)",
    _check_gradient,
    lambda *values: None,
    returns=0,
    cell_names=("autograd_slope", "numeric_slope"),
    section="Checking by hand",
    intro="**Your turn: a slope no walkthrough shows.** Take a new function, f(t) = t² sin(t), at "
    "t = 2. Let autograd find its slope there, then check it the way people did before "
    "autograd: from f's values at two points close on either side of t. The two should "
    "agree to about three decimals. The walkthrough does not do this: use its idea.",
)


# --- section 4: time a matrix product ---------------------------------------------------------


@contextlib.contextmanager
def _meta_waits_for_nothing():
    """While a cell runs again on the meta device: its timer skips the wait (the meta
    device has no queue, and PyTorch no module to ask for it)."""
    real = timing.synchronize

    def synchronize(device):
        if device is None or torch.device(device).type != "meta":
            real(device)

    timing.synchronize = synchronize
    try:
        yield
    finally:
        timing.synchronize = real


def _check_product(seconds, product, m, size, device, when: str = "") -> None:
    size = number(size, "size", whole=True)
    if not 1 <= size <= 20_000:
        raise Incorrect(f"size is {size}: choose a size from 1 to 20,000.")
    for name, value in (("m", m), ("product", product)):
        if type(value) not in (torch.Tensor, nn.Parameter):
            raise Incorrect(f"{when}{name} is a {type(value).__name__}, not a PyTorch tensor.")
        if tuple(value.shape) != (size, size):
            raise Incorrect(f"{when}{name} has shape {tuple(value.shape)}, not ({size}, {size}).")
    if m.device.type != device.type:
        raise Incorrect(f"{when}m is on {m.device}, not on device: make it with device=device.")
    if product.device != m.device:
        raise Incorrect(f"{when}product is on {product.device}, not where m is.")
    seconds = number(seconds, "seconds")
    if not seconds > 0:
        raise Incorrect(f"seconds is {seconds:g}: a time is more than 0.")


def _check_time_matmul(seconds, product, m=MISSING, size=MISSING, device=MISSING):
    if is_blank(size) or is_blank(m) or is_blank(product):
        raise NotAttempted
    device = device if isinstance(device, torch.device) else best_device()
    _check_product(seconds, product, m, size, device)
    rows = plain_tensor(m[:3], "m")
    mine = plain_tensor(product[:3], "product")
    matrix_product = rows @ plain_tensor(m, "m")
    if not torch.allclose(mine, matrix_product, rtol=1e-4, atol=1e-3):
        if torch.allclose(mine, rows * rows):
            raise Incorrect(
                "product multiplies each number of m by itself (m * m): a matrix product "
                "combines m's rows with its columns, with an operator of its own."
            )
        raise Incorrect("product is not m @ m, the matrix product of m with itself.")
    with _meta_waits_for_nothing():
        names = rerun(device=META)
    if names is not None:
        _check_product(
            names.get("seconds"), names.get("product"), names.get("m"), names.get("size"),
            META, 'run again with device = torch.device("meta"), ',
        )  # fmt: skip


time_matmul = Exercise(
    "time_matmul",
    "Time one matrix product of a size you choose, on device.",
    "from mnisttutor.timing import best_time\n"
    "\n"
    "size = ____  # your choice: the rows (and columns) of a square matrix, e.g. 500\n"
    "m = ____  # a size x size tensor of random numbers, made on device\n"
    "product = ____  # m times m, as a matrix product\n"
    "seconds = ____  # seconds for one m @ m on device: best_time(torch.matmul, ...)\n"
    "print(size, seconds)",
    ("seconds", "product", "m", "size", "device"),
    "torch.rand(size, size, device=device) makes m; best_time(torch.matmul, m, m, "
    "device=device) times it and waits for the device.",
    "from mnisttutor.timing import best_time\n"
    "\n"
    "size = 500\n"
    "m = torch.rand(size, size, device=device)\n"
    "product = m @ m\n"
    "seconds = best_time(torch.matmul, m, m, device=device)\n"
    'print(f"{size} x {size}: {seconds * 1e3:.3f} ms, {2 * size**3 / seconds / 1e9:.1f} GFLOP/s")',
    _check_time_matmul,
    lambda *values: None,
    returns=0,
    cell_names=("seconds", "product"),
    section="The modern way: name the device",
    intro="**Your turn: time a matrix product.** Choose a size, make a random square "
    "matrix `m` of that size on `device`, multiply it by itself as a matrix product, and "
    "time that product with mnisttutor's timer, "
    "`best_time(function, arguments..., device=device)`, which gives the seconds per "
    "call. A product of two n x n matrices is about 2n³ operations: how many billions a "
    "second does this machine do? The walkthrough does not do this: use its idea.",
)


# --- section 5: how many of each digit -------------------------------------------------------


TRAIN_COUNTS = (11, 13, 15, 17, 19, 21, 23, 25, 27, 29)  # a check dataset's: all different
assert sum(TRAIN_COUNTS) == CHECK_ROWS


def _labels(counts) -> tuple[int, ...]:
    """CHECK_ROWS labels with each digit ``counts[digit]`` times, in a shuffled order."""
    labels = np.repeat(np.arange(10), counts)
    return tuple(np.random.default_rng(0).permutation(labels).tolist())


def _counts_of(labels) -> list[int]:
    return np.bincount(np.asarray(labels, dtype=np.int64), minlength=10).tolist()


def _dataset_like(namespace: dict, path):
    """The check's CSV as the notebook's MnistDataset (the reader's class), else the
    package's, which has the same data_df."""
    from ..dataset import MnistDataset

    made = namespace.get("MnistDataset")
    if isinstance(made, type):
        with contextlib.suppress(Exception):
            return made(path)
    return MnistDataset(path)


def _check_digit_counts(digit_counts, mnist_dataset=MISSING):
    counts = _numbers(digit_counts, "digit_counts", 10, whole=True)
    if not is_blank(mnist_dataset):
        images = number(call("len(mnist_dataset)", len, mnist_dataset), "len", whole=True)
        if sum(counts) != images:
            raise Incorrect(
                f"digit_counts adds up to {sum(counts):,}, but the training set has "
                f"{images:,} images: count the labels, one per image."
            )
    if context.namespace is None:  # no cell to run again: the value is judged alone
        return
    train, test = _labels(TRAIN_COUNTS), _labels((CHECK_ROWS // 10,) * 10)
    with check_csv(train) as train_path, check_csv(test, seed=1) as test_path:
        overrides = {
            "mnist_dataset": _dataset_like(context.namespace, train_path),
            "mnist_test_dataset": _dataset_like(context.namespace, test_path),
            "train_csv": train_path,
            "test_csv": test_path,
        }
        names = rerun(**overrides)
    if names is None:
        return
    again = _numbers(names.get("digit_counts"), "digit_counts", 10, whole=True)
    if again == _counts_of(test):
        raise Incorrect(
            "these are the test set's counts (mnist_test_dataset): count the training set, "
            "mnist_dataset."
        )
    if again == counts:
        raise Incorrect(
            "digit_counts stays the same for another dataset: count the labels of "
            "mnist_dataset, not numbers typed in."
        )
    if again != list(TRAIN_COUNTS) and sorted(again) == sorted(TRAIN_COUNTS):
        raise Incorrect(
            "digit_counts is not in the order of the digits 0 to 9 (value_counts() puts the "
            "most common first): sort the counts by digit, sort_index()."
        )
    if again != list(TRAIN_COUNTS):
        raise Incorrect(
            f"for a check dataset whose digits 0 to 9 appear {list(TRAIN_COUNTS)} times, "
            f"your cell counts {again}: count how many labels are 0, how many are 1, and so on."
        )


digit_counts = Exercise(
    "digit_counts",
    "Count how many training images there are of each digit, 0 to 9.",
    "digit_counts = ____  # how many training images show each digit: 10 numbers, for 0 to 9\n"
    "print(digit_counts)",
    ("digit_counts", "mnist_dataset"),
    "Column 0 of mnist_dataset.data_df holds the labels; pandas' value_counts() counts "
    "each value, and sort_index() puts them in order.",
    "digit_counts = mnist_dataset.data_df[0].value_counts().sort_index().tolist()\n"
    "print(digit_counts)",
    _check_digit_counts,
    lambda *values: None,
    returns=0,
    cell_names=("digit_counts",),
    section="Building the dataset",
    intro="**Your turn: how many of each digit?** Are there as many 1s as 5s in the "
    "training set? Count the training images of each digit, 0 to 9, from the "
    "dataset's table or its items. The walkthrough does not do this: use its idea.",
)


# --- section 6, page 1: how many numbers does training adjust? ------------------------------


def _parameter_count(model) -> int:
    return sum(p.numel() for p in model.parameters())


def _check_parameter_count(parameter_count, model=MISSING):
    count = number(parameter_count, "parameter_count", whole=True)
    if not isinstance(model, nn.Module):
        raise Incorrect("model is not the walkthrough's network: run the cells above first.")
    expected = _parameter_count(model)
    weights = sum(p.numel() for name, p in model.named_parameters() if name.endswith("weight"))
    if count == weights:
        raise Incorrect(
            f"{count:,} counts the weights only: every node has a bias too, in model.parameters()."
        )
    if count == len(list(model.parameters())):
        raise Incorrect(
            f"{count} is how many tensors model.parameters() gives: count the numbers in "
            "each (.numel())."
        )
    if count != expected:
        raise Incorrect(f"parameter_count is {count:,}, not the number of weights and biases.")
    small = nn.Sequential(nn.Linear(5, 3), nn.Sigmoid(), nn.Linear(3, 2))
    names = rerun(model=small)
    if names is not None:
        again = number(names.get("parameter_count"), "parameter_count", whole=True)
        if again != _parameter_count(small):
            raise Incorrect(
                f"for another model, with {_parameter_count(small)} weights and biases, your "
                f"cell gives {again:,}: count them from model.parameters(), not typed in."
            )


parameter_count = Exercise(
    "parameter_count",
    "Count the numbers that training adjusts in model: every weight and every bias.",
    "parameter_count = ____  # every weight and bias in model: how many numbers in all\n"
    "print(parameter_count)",
    ("parameter_count", "model"),
    "model.parameters() gives each weight matrix and bias vector; a tensor's .numel() "
    "says how many numbers it holds.",
    "parameter_count = sum(parameter.numel() for parameter in model.parameters())\n"
    "print(parameter_count)",
    _check_parameter_count,
    lambda *values: None,
    returns=0,
    cell_names=("parameter_count",),
    section="The layers",
    intro="**Your turn: how many numbers does training adjust?** Every weight and every "
    "bias of `model` is a number that training moves. How many are there in all? Count "
    "them from `model` itself: `model.parameters()` gives its tensors one by one, and a "
    "tensor's `.numel()` says how many numbers it holds. The walkthrough does not do "
    "this: use its idea.",
)


# --- section 6, page 2: accuracy for each digit -----------------------------------------------


def _per_digit(net, dataset, *, by_answer: bool = False) -> list[float]:
    with torch.no_grad():
        answers = net(dataset.images).argmax(dim=1).as_subclass(torch.Tensor)
    groups = answers if by_answer else dataset.labels
    right = answers == dataset.labels
    return [
        (right & (groups == d)).sum().item() / max(int((groups == d).sum()), 1) for d in range(10)
    ]


def _check_accuracy_per_digit(accuracy_per_digit):
    if not callable(accuracy_per_digit):
        raise Incorrect(
            f"accuracy_per_digit is a {type(accuracy_per_digit).__name__}, not a function."
        )
    net, dataset = _score_check_data()
    watched = _Watched(dataset)
    what = "accuracy_per_digit(C, mnist_test_dataset)"
    returned = _run_loop(what, accuracy_per_digit, watched, net, watched)
    shares = _numbers(returned, "the shares it returned", 10)
    expected = _per_digit(net, dataset)
    seen = [int((dataset.labels == d).sum()) for d in range(10)]
    if all(close(a, b) for a, b in zip(shares, expected, strict=True)):
        return None
    if all(close(a, b * n / CHECK_ROWS) for a, b, n in zip(shares, expected, seen, strict=True)):
        raise Incorrect(
            "each share is divided by all the test images: divide by the number of images "
            "of that digit."
        )
    if all(close(a, b * n) for a, b, n in zip(shares, expected, seen, strict=True)):
        raise Incorrect(
            "these are how many were right for each digit: divide each by how many images "
            "of that digit there are."
        )
    if all(close(a, 100 * b) for a, b in zip(shares, expected, strict=True)):
        raise Incorrect("these are percentages: give shares from 0 to 1.")
    if all(
        close(a, b) for a, b in zip(shares, _per_digit(net, dataset, by_answer=True), strict=True)
    ):
        raise Incorrect(
            "the images are grouped by the network's answer, not by their label: count "
            "each image for the digit it shows."
        )
    if sum(shares) and close(sum(r * n for r, n in zip(shares, seen, strict=True)), SCORE_RIGHT):
        raise Incorrect("the shares are not in the order of the digits 0 to 9.")
    raise Incorrect(
        "for the check's network and images, the shares are not those of each digit's "
        "images that it got right."
    )


accuracy_per_digit = Exercise(
    "accuracy_per_digit",
    "Write accuracy_per_digit: for each digit, the share of its test images C gets right.",
    "def accuracy_per_digit(C, mnist_test_dataset):\n"
    "    right = [0] * 10  # for each digit: how many of its test images C gets right\n"
    "    seen = [0] * 10  # for each digit: how many test images show it\n"
    "    ____  # for each test image: count it in seen[label], and in right[label] if C is right\n"
    "    shares = ____  # for each digit 0 to 9: right over seen\n"
    "    return shares",
    ("accuracy_per_digit",),
    "Loop as the scoring loop does; right[label] += 1 counts for one digit. A list "
    "comprehension over range(10) makes the shares.",
    "def accuracy_per_digit(C, mnist_test_dataset):\n"
    "    right = [0] * 10\n"
    "    seen = [0] * 10\n"
    "    for label, image_data_tensor, target_tensor in mnist_test_dataset:\n"
    "        answer = C.forward(image_data_tensor).detach().numpy()\n"
    "        seen[label] += 1\n"
    "        if answer.argmax() == label:\n"
    "            right[label] += 1\n"
    "    shares = [right[digit] / seen[digit] for digit in range(10)]\n"
    "    return shares\n"
    "\n"
    "print([round(share, 3) for share in accuracy_per_digit(C3, mnist_test_dataset)])",
    _check_accuracy_per_digit,
    lambda *values: None,
    returns=0,
    section="The test score",
    notes=NOTES,
    intro="**Your turn: which digits are hardest?** One accuracy hides the details: "
    "write `accuracy_per_digit(C, mnist_test_dataset)`, which gives, for each digit 0 "
    "to 9, the share of its test images that the network gets right. Then try it on "
    "`C3`, and see which digit it reads worst. The walkthrough does not do this: use its idea.",
)
