"""Workbooks as a learner lives them: each workbook, as the generator ships it, replayed
cell by cell in a real Jupyter kernel (jupyter_client and ipykernel), the way nbgrader
and Jupyter's own tests drive one.

For every exercise of every workbook, in one kernel:

- the check run before its cell has run, and run again;
- the shipped blank run, then the check, twice: *not attempted* both times;
- a typical wrong answer: *incorrect*, with the sentence that names it, twice; and the
  cells after the check still run;
- an answer that raises: *incorrect*, naming the error, twice;
- the page's own code, then a cell that fails, then an interrupted one and a ``NameError``
  from below: the check still says *correct*, twice, blaming none of them;

and Run All in a new kernel with the blanks as shipped, then Restart and Run All with
the page's code (each check also run before its cell) and with the wrong answers. No
check cell ever shows a traceback; no cell but the learner's ever fails. (A workbook
with an answer that raises in every blank runs to the end in ``nox -s notebook``.)

The kernel reads a small synthetic MNIST (``fetch_mnist_csv`` pointed at 5,000 + 200
rows in the preamble, which is not a workbook cell): the sessions test the checks, not
the data; ``nox -s notebook`` runs the workbooks on the real data. Matplotlib draws
with Agg, so figures cost nothing.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
sys.path.insert(0, str(ROOT / "docs"))

import gallery_setup  # noqa: E402 -- docs/, not a package
import workbooks  # noqa: E402

from mnisttutor.exercises import EXERCISES  # noqa: E402

pytestmark = pytest.mark.slow
CONF = {"first_notebook_cell": gallery_setup.first_notebook_cell("file:///wheels/")}
VERDICT = re.compile(r"^(Not attempted|Correct|Incorrect)\b.*$", re.M)

# A typical wrong answer for each exercise (its whole starter replaced), and words of the
# sentence that must name the mistake.
WRONG = {
    "km_error": ("error = guess - true_miles", "wrong sign"),
    "marathon_errors": (
        "marathon_errors = [26.2188 - machine(42.195, c) for c in (0.5, 0.6, 0.7)]\n"
        "closest_c = 0.7\nprint(marathon_errors, closest_c)",
        "most negative error",
    ),
    "km_update": ("return c - learning_rate * error / km, error", "wrong way"),
    "marathon_learning": (
        "marathon_c, marathon_steps = 0.5, 0\n"
        "if abs(26.2188 - marathon_c * 42.195) >= 0.01:\n"
        "    marathon_c, _ = learn(marathon_c, 42.195, 26.2188, LEARNING_RATE)\n"
        "    marathon_steps += 1",
        "marathon_steps is 1",
    ),
    "autograd_x": ("x = torch.tensor(3.5)", "without requires_grad"),
    "autograd_y": ("y = (x - 1) * (x - 2)", "check the expression"),
    "autograd_backward": (
        "x.backward()  # run y's graph backwards, so PyTorch fills x.grad",
        "x.grad is 1",
    ),
    "autograd_grad": ("gradient = y.grad", "stores a gradient on the leaf"),
    "gradient_check": (
        "def f(t):\n    return t**2 * torch.sin(t)\n\n"
        "t = torch.tensor(2.0, requires_grad=True)\nf(t).backward()\n"
        "autograd_slope = t.grad.item()\nh = 0.01\n"
        "numeric_slope = ((f(t + h) - f(t)) / h).item()",
        "one point beside it",
    ),
    "to_device": ("a = torch.rand(3, 3)\nmodel = torch.nn.Linear(3, 2)", "meta"),
    "time_matmul": (
        "from mnisttutor.timing import best_time\n\nsize = 50\n"
        "m = torch.rand(size, size, device=device)\nproduct = m * m\n"
        "seconds = best_time(torch.matmul, m, m, device=device)",
        "(m * m)",
    ),
    "dataset_len": ("return len(self.data_df) - 1", "one short"),
    "dataset_getitem": (
        "label = self.data_df.iloc[index, 0]\ntarget = torch.zeros(10)\ntarget[label] = 1.0\n"
        "pixels = self.data_df.iloc[index, 1:].to_numpy()\n"
        "image_values = torch.tensor(pixels, dtype=torch.float32)",
        "not scaled to 0-1",
    ),
    "digit_counts": ("digit_counts = mnist_dataset.data_df[0].value_counts().tolist()", "order"),
    "parameter_count": (
        "parameter_count = 784 * 200 + 200 * 10\nprint(parameter_count)",
        "weights only",
    ),
    "classifier_init": (
        "self.model = nn.Sequential(\n"
        "    nn.Linear(784, 200), nn.Sigmoid(), nn.Linear(200, 10), nn.Sigmoid()\n)\n"
        "self.loss_function = nn.BCELoss\n"
        "self.optimiser = torch.optim.SGD(self.parameters(), lr=0.01)",
        "the class BCELoss itself",
    ),
    "classifier_train": (
        "outputs = self.forward(inputs)\nloss = self.loss_function(outputs, targets)\n"
        "self.counter += 1\nif self.counter % 10 == 0:\n    self.progress.append(loss.item())\n"
        "optimiser.zero_grad()\nloss.backward()\noptimiser.step()",
        "does not hold this network's weights",
    ),
    "training_loop": (
        "for i in range(epochs):\n"
        "    for label, image_data_tensor, target_tensor in mnist_dataset_outside:\n"
        "        C.train(image_data_tensor, target_tensor)",
        "never read the dataset it was given",
    ),
    "scoring_loop": (
        "score = 0\nfor label, image_data_tensor, target_tensor in mnist_test_dataset:\n"
        "    answer = C.forward(image_data_tensor).detach().numpy()\n"
        "    if answer.max() == label:\n        score += 1\n"
        "return score / len(mnist_test_dataset)",
        "argmax",
    ),
    "accuracy_per_digit": (
        "def accuracy_per_digit(C, mnist_test_dataset):\n"
        "    right = [0] * 10\n    seen = [0] * 10\n"
        "    for label, image, target in mnist_test_dataset:\n"
        "        seen[label] += 1\n"
        "        right[label] += int(C.forward(image).argmax() == label)\n"
        "    return [r / len(mnist_test_dataset) for r in right]",
        "divided by all the test images",
    ),
}
PREAMBLE = """\
import os
import mnisttutor
# The session's data (not a workbook cell): small CSVs in MNIST's format.
mnisttutor.fetch_mnist_csv = lambda *args, **kwargs: ({train!r}, {test!r})
mnist_dataset_outside = mnisttutor.MnistDataset({train!r})  # for a loop over the wrong data
"""
UNRELATED = [  # cells a learner runs between their cell and its check
    'raise ValueError("a plotting cell failed")',
    "raise KeyboardInterrupt",
    "print(c_not_yet_defined)",
]


@dataclass
class Ran:
    """What one cell did: its status, what it printed, and what it raised."""

    ok: bool
    out: str
    error: str
    traceback: str

    @property
    def verdicts(self) -> list[str]:
        return [m.group(0) for m in VERDICT.finditer(self.out)]


class Kernel:
    """A real IPython kernel, driven as Jupyter drives it."""

    def __init__(self, cwd: Path, env: dict, preamble: str):
        self.manager = jupyter_client.KernelManager(kernel_name="python3")
        self.cwd, self.env, self.preamble = cwd, env, preamble
        self.manager.start_kernel(cwd=str(cwd), env=env)
        self._connect()

    def _connect(self):
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)
        ran = self.run(self.preamble)
        assert ran.ok, ran.traceback

    def run(self, code: str, timeout: float = 300) -> Ran:
        out, error, trace = [], "", ""

        def hook(message):
            nonlocal error, trace
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                out.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
                trace = "\n".join(content["traceback"])

        reply = self.client.execute_interactive(code, output_hook=hook, timeout=timeout)
        return Ran(reply["content"]["status"] == "ok", "".join(out), error, trace)

    def restart(self):
        self.client.stop_channels()
        self.manager.restart_kernel(now=True)
        self._connect()

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def _walkthroughs() -> list[Path]:
    examples = sorted((ROOT / "examples").glob("*/plot_*.py"))
    found = getattr(workbooks, "has_workbook", None) or workbooks.has_markers
    return [p for p in examples if found(p)]


def _source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


@dataclass
class Exercise:
    name: str
    cell: int  # index in the code cells: the learner's cell
    check: int  # its check cell


def _code_cells(notebook) -> list[str]:
    return [_source(c) for c in notebook["cells"] if c["cell_type"] == "code"]


def _exercises(cells: list[str]) -> list[Exercise]:
    found = []
    for index, code in enumerate(cells):
        names = re.findall(r"exercises\.(\w+)\.check\(\)", code)
        if not names:
            continue
        learner = max(i for i in range(index) if "____" in cells[i] and ".check()" not in cells[i])
        found += [Exercise(name, learner, index) for name in names]
    return found


def _with(code: str, name: str, answer: str) -> str:
    """``code`` with exercise ``name``'s starter replaced by ``answer``."""
    changed = workbooks._replace_indented(code, EXERCISES[name].starter, answer)
    assert changed != code, f"{name}'s starter is not in its cell"
    return changed


def _solved(cells: list[str]) -> list[str]:
    solved = list(cells)
    for exercise in EXERCISES.values():
        solved = [
            workbooks._replace_indented(c, exercise.starter, exercise._solution) for c in solved
        ]
    return solved


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A small training CSV and test CSV. 5,000 training rows: the section 5 page times
    item 1000, and pandas reads a smaller file into one block per column, which makes the
    tutorial's ``iloc`` a hundred times slower than on MNIST's."""
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    paths = []
    for name, rows in (("train.csv", 5000), ("test.csv", 200)):
        labels = np.arange(rows) % 10
        pixels = rng.integers(0, 256, size=(rows, 784))
        path = folder / name
        np.savetxt(path, np.column_stack([labels, pixels]), fmt="%d", delimiter=",")
        paths.append(str(path))
    return paths


@pytest.fixture
def kernel(tmp_path, data):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "MPLBACKEND"))}
    env.update(
        MPLBACKEND="agg", PYTHONWARNINGS="ignore", MNISTTUTOR_CACHE_DIR=str(tmp_path / "cache")
    )
    started = Kernel(tmp_path, env, PREAMBLE.format(train=data[0], test=data[1]))
    yield started
    started.close()


def _no_traceback(ran: Ran, what: str) -> None:
    assert ran.ok, f"{what} raised {ran.error}:\n{ran.traceback[-2000:]}"
    assert not ran.traceback, ran.traceback


def _verdict(ran: Ran, check: str, name: str, what: str) -> str:
    """The verdict line that check cell ``check`` printed for exercise ``name``."""
    _no_traceback(ran, what)
    names = re.findall(r"exercises\.(\w+)\.check\(\)", check)
    lines = ran.verdicts
    assert len(lines) == len(names), f"{what}: {names} but printed {ran.out!r}"
    return lines[names.index(name)]


def _run_all(kernel: Kernel, cells: list[str], what: str, restart: bool = True) -> dict[int, Ran]:
    """Restart and Run All: no cell may fail."""
    if restart:
        kernel.restart()
    results = {}
    for index, code in enumerate(cells):
        results[index] = ran = kernel.run(code)
        _no_traceback(ran, f"{what}: cell {index} ({code.splitlines()[0][:60]!r})")
    return results


def _check_lines(results: dict[int, Ran], exercises: list[Exercise]) -> dict[str, str]:
    verdicts = {}
    for check in sorted({e.check for e in exercises}):
        names = [e.name for e in exercises if e.check == check]
        lines = results[check].verdicts
        assert len(lines) == len(names), (names, results[check].out)
        verdicts.update(zip(names, lines, strict=True))
    return verdicts


@pytest.mark.parametrize("path", _walkthroughs(), ids=lambda p: p.stem)
def test_a_learner_session(path, kernel):
    cells = _code_cells(workbooks.make_workbook(path, CONF))
    exercises = _exercises(cells)
    assert exercises, path
    learner = {e.cell for e in exercises}

    # Run All in a new kernel, as shipped: every check "not attempted", nothing fails.
    results = _run_all(kernel, cells, "as shipped", restart=False)
    for name, line in _check_lines(results, exercises).items():
        assert line.startswith("Not attempted"), (name, line)

    # Each exercise, in page order, in the same kernel; its cell keeps the answers of
    # the exercises before it (a class cell holds two).
    state = list(cells)
    for exercise in exercises:
        name, check, cell = exercise.name, cells[exercise.check], exercise.cell
        assert exercise.name in WRONG, f"a wrong answer for {name}, please"
        for _ in range(2):
            line = _verdict(kernel.run(check), check, name, f"{name}'s check, as shipped")
            assert line.startswith("Not attempted"), (name, line)

        wrong, words = WRONG[name]
        kernel.run(_with(state[cell], name, wrong))
        lines = [_verdict(kernel.run(check), check, name, f"{name}'s check") for _ in range(2)]
        assert lines[0] == lines[1], (name, lines)
        assert lines[0].startswith("Incorrect"), (name, lines)
        assert words.lower() in lines[0].lower(), (name, lines[0])
        for after in range(exercise.check + 1, len(cells)):  # the cells below still run
            if after in learner:
                break
            _no_traceback(kernel.run(cells[after]), f"cell {after} after {name}'s wrong answer")

        raising = EXERCISES[name].starter.replace("____", workbooks.MISTAKE)
        kernel.run(_with(state[cell], name, raising))
        for _ in range(2):
            line = _verdict(kernel.run(check), check, name, f"{name}'s check, answer raising")
            assert line.startswith("Incorrect"), (name, line)
            assert "ZeroDivisionError" in line, (name, line)

        # The fix, after running the exercises' cells above again, as the checks advise
        # (section 3's gradients add up over every backward() since x was made).
        state[cell] = _with(state[cell], name, EXERCISES[name]._solution)
        for before in sorted({e.cell for e in exercises if e.cell < cell}):
            assert kernel.run(state[before]).ok, (name, before)
        assert kernel.run(state[cell]).ok, name
        for unrelated in UNRELATED:
            assert not kernel.run(unrelated).ok
        for _ in range(2):
            line = _verdict(kernel.run(check), check, name, f"{name}'s check, others failing")
            assert line == "Correct." or line.startswith("Correct: a note"), (name, line)

    # Restart and Run All with the page's code, each check also run before its cell has
    # run in this kernel: not correct then, "correct" after it; nothing fails.
    kernel.restart()
    solved, checked_early = _solved(cells), set()
    for index, code in enumerate(solved):
        for exercise in (e for e in exercises if e.cell == index):
            check = solved[exercise.check]
            line = _verdict(kernel.run(check), check, exercise.name, "a check before its cell")
            assert not line.startswith("Correct"), (exercise.name, line)
            checked_early.add(exercise.name)
        ran = kernel.run(code)
        _no_traceback(ran, f"cell {index} with the page's code")
        for name, line in _lines(ran, code, exercises).items():
            assert line == "Correct." or line.startswith("Correct: a note"), (name, line)
    assert checked_early == {e.name for e in exercises}

    # ... and with the wrong answers: every check "incorrect", naming each; nothing fails.
    wrong_cells = list(cells)
    for exercise in exercises:
        answer = WRONG[exercise.name][0]
        wrong_cells[exercise.cell] = _with(wrong_cells[exercise.cell], exercise.name, answer)
    results = _run_all(kernel, wrong_cells, "with wrong answers")
    for name, line in _check_lines(results, exercises).items():
        assert line.startswith("Incorrect"), (name, line)
        assert WRONG[name][1].lower() in line.lower(), (name, line)


def _lines(ran: Ran, code: str, exercises: list[Exercise]) -> dict[str, str]:
    names = re.findall(r"exercises\.(\w+)\.check\(\)", code)
    return dict(zip(names, ran.verdicts, strict=True)) if names else {}
