"""The second battery of learner answers (issue 24): what a check's isolation must hold
beyond the first battery's. Each fault found is a test here, on both of the checker's
paths (a forked child, and in-process with state put back) where both apply.

- the child works in a folder of its own, removed afterwards, even after a kill;
- the child's whole process group is killed: what the learner's code started dies too,
  and a process that keeps the verdict pipe open does not turn a verdict into a time-out;
- nothing of the learner's logging reaches the notebook from a check;
- the test for an empty blank asks nothing of the learner's object in the notebook's own
  process, where no time limit holds;
- gradients switched off in the notebook, or SIGCHLD ignored, change no verdict;
- the one-time warm-up changes nothing of the learner's;
- the in-process path puts back print options, floating-point error modes, cudnn and
  determinism flags, matmul precision, anomaly detection, logging, SIGTERM and pandas.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from test_exercise_battery import expect, page_train_network
from test_pages import DATASET_PAGE, NETWORK_PAGE, from_page
from torch import nn

from mnisttutor import exercises
from mnisttutor.exercises import CORRECT, INCORRECT, _isolation

PageDataset = from_page(DATASET_PAGE, "MnistDataset")
PageClassifier = from_page(NETWORK_PAGE, "Classifier")


@pytest.fixture
def fork(monkeypatch):
    if not _isolation.can_fork():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(_isolation, "FORK", True)


def right(c, km, miles, learning_rate):
    return c + learning_rate * (miles - c * km) / km, miles - c * km


# --- files and folders ---------------------------------------------------------------------


def test_a_loop_that_saves_a_checkpoint_leaves_the_learners_file(isolation, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("checkpoint.pt").write_text("the learner's own")

    def saves(C, mnist_dataset, epochs):
        page_train_network(C, mnist_dataset, epochs)
        torch.save(C.state_dict(), "checkpoint.pt")

    expect(exercises.training_loop.result(saves), CORRECT)
    assert Path("checkpoint.pt").read_text() == "the learner's own"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.pt"]


def _check_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("mnisttutor-check-*")}


def test_a_killed_check_leaves_no_folder(fork, monkeypatch):
    monkeypatch.setattr(_isolation, "TIME_LIMIT", 0.5)
    before = _check_folders()

    def writes_then_hangs(c, km, miles, rate):
        Path("scratch.txt").write_text("x" * 1000)
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])  # only a kill stops this
        time.sleep(60)

    expect(exercises.km_update.result(writes_then_hangs), INCORRECT, "more than 0.5 s")
    assert _check_folders() == before


# --- processes the learner's code starts --------------------------------------------------


def test_processes_the_learners_code_starts_die_with_the_check(fork, tmp_path):
    pids = tmp_path / "pids"

    def starts(c, km, miles, rate):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        forked = os.fork()
        if forked == 0:
            time.sleep(60)
            os._exit(0)
        pids.write_text(f"{child.pid} {forked}")
        return right(c, km, miles, rate)

    expect(exercises.km_update.result(starts), CORRECT)
    for pid in map(int, pids.read_text().split()):
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid), f"process {pid} outlived the check"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie is dead, waiting for its new parent to reap it


def test_a_process_holding_the_verdict_pipe_does_not_make_a_time_out(fork):
    def forks_and_lingers(c, km, miles, rate):
        if os.fork() == 0:  # holds a copy of every file the check has open
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            time.sleep(30)
            os._exit(0)
        return right(c, km, miles, rate)

    start = time.monotonic()
    expect(exercises.km_update.result(forks_and_lingers), CORRECT)
    assert time.monotonic() - start < 5


def test_a_notebook_that_ignores_sigchld_still_gets_verdicts(fork):
    previous = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        expect(exercises.km_update.result(right), CORRECT)
        assert signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGCHLD, previous)


# --- logging -------------------------------------------------------------------------------


def test_the_learners_logging_writes_nothing_from_a_check(isolation, tmp_path):
    log = tmp_path / "notebook.log"
    handler = logging.FileHandler(log)
    logging.getLogger().addHandler(handler)
    try:

        def logs(c, km, miles, rate):
            for _ in range(1000):
                logging.getLogger("learner").error("x" * 1000)
            return right(c, km, miles, rate)

        expect(exercises.km_update.result(logs), CORRECT)
        logging.getLogger("learner").error("after the check")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert log.read_text() == "after the check\n"


# --- the empty-blank test, and the notebook's own switches ---------------------------------


class NeverSaysItsClass:
    @property
    def __class__(self):
        while True:
            time.sleep(0.01)


class Reseeds(list):
    def __iter__(self):
        torch.manual_seed(99)
        return super().__iter__()


def test_the_blank_test_asks_nothing_of_the_learners_object(isolation, monkeypatch):
    monkeypatch.setattr(_isolation, "TIME_LIMIT", 1.0)
    if isolation == "in-process":
        pytest.skip("in-process, a check runs the learner's code here: only fork bounds it")
    start = time.monotonic()
    expect(exercises.km_error.result(NeverSaysItsClass(), 62.1371, 50.0), INCORRECT)
    assert time.monotonic() - start < 1.0 + _isolation.GRACE + 1
    torch.manual_seed(7)
    expected = torch.rand(2)
    torch.manual_seed(7)
    expect(exercises.marathon_errors.result(Reseeds([1.0, 2.0, 3.0])), INCORRECT)
    assert torch.equal(torch.rand(2), expected)


def test_gradients_switched_off_in_the_notebook_change_no_verdict(isolation):
    with torch.no_grad():
        expect(exercises.classifier_train.result(PageClassifier), CORRECT)
        expect(exercises.training_loop.result(page_train_network), CORRECT)
        assert not torch.is_grad_enabled()
    previous = torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    try:
        expect(exercises.km_update.result(right), CORRECT)
        assert not torch.is_grad_enabled()
    finally:
        torch.set_grad_enabled(previous)


def test_a_float_whose_comparison_ends_python_is_not_correct(isolation):
    class Exits(float):
        def __eq__(self, other):
            raise SystemExit(1)

        __hash__ = float.__hash__

    result = exercises.km_error.result(Exits(12.1371), 62.1371, 50.0)
    expect(result, INCORRECT, "a number class of its own")


# --- the warm-up ---------------------------------------------------------------------------

WARM_UP = """
import atexit, os, sys, warnings, torch
from mnisttutor.exercises import _exercise
seed, step = torch.manual_seed, torch.optim.SGD.step
filters, environ = list(warnings.filters), dict(os.environ)
torch.manual_seed(5)
state = torch.random.get_rng_state()
torch.set_grad_enabled(False)  # the issue's notebook: the first check crashed here
_exercise._warm_up()
assert torch.manual_seed is seed, "torch.manual_seed replaced"
assert torch.optim.SGD.step is step, "SGD.step replaced"
assert warnings.filters == filters, "a warnings filter added"
assert dict(os.environ) == environ, "the environment changed"
assert torch.equal(torch.random.get_rng_state(), state), "the random state changed"
assert not torch.is_grad_enabled(), "gradients switched on"
# The exit handlers importing torch._dynamo registers: left unregistered. (atexit counts
# the places it has, not the handlers in them, so each is made to leave a mark instead.)
import torch._dynamo.eval_frame, torch._dynamo.utils
exec(f"def mark():\\n    open({sys.argv[1]!r}, 'a').write('ran')", namespace := {})
dynamo = torch._dynamo
for handler in (dynamo.utils.dump_compile_times, dynamo.eval_frame._log_traced_frames):
    handler.__code__ = namespace["mark"].__code__
atexit._run_exitfuncs()
assert not os.path.exists(sys.argv[1]), "an exit handler added"
"""


def test_the_warm_up_changes_nothing_of_the_learners(tmp_path):
    """In a new process: the warm-up runs once per process."""
    mark = tmp_path / "exit-handler-ran"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WARM_UP), str(mark)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert not mark.exists()


# --- the in-process path puts back what it says ---------------------------------------------


def vandal(c, km, miles, learning_rate):
    """Changes each setting the issue found left changed after an in-process check."""
    torch.set_printoptions(precision=1, linewidth=20)
    np.set_printoptions(precision=1)
    np.seterr(all="raise")
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = True
    torch.use_deterministic_algorithms(True)
    torch.set_float32_matmul_precision("medium")
    torch.autograd.set_detect_anomaly(True)
    logging.getLogger().handlers[:] = [logging.NullHandler()]
    logging.getLogger().setLevel(logging.CRITICAL)
    signal.signal(signal.SIGTERM, lambda *args: None)
    pd.set_option("display.max_rows", 3)
    return right(c, km, miles, learning_rate)


def _settings():
    root = logging.getLogger()
    return {
        "torch print": torch._tensor_str.PRINT_OPTS.precision,
        "torch width": torch._tensor_str.PRINT_OPTS.linewidth,
        "numpy print": np.get_printoptions()["precision"],
        "numpy errors": np.geterr(),
        "cudnn": (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "matmul": torch.get_float32_matmul_precision(),
        "anomaly": torch.is_anomaly_enabled(),
        "handlers": list(root.handlers),
        "level": root.level,
        "sigterm": signal.getsignal(signal.SIGTERM),
        "pandas": pd.get_option("display.max_rows"),
    }


def test_the_in_process_path_puts_back_every_setting(isolation):
    before = _settings()
    expect(exercises.km_update.result(vandal), CORRECT)
    assert _settings() == before


def test_a_right_class_is_right_whatever_the_notebook_set(isolation):
    torch.set_default_dtype(torch.float64)
    try:
        expect(exercises.dataset_getitem.result(PageDataset), CORRECT)
        expect(exercises.classifier_init.result(PageClassifier), CORRECT)
        assert torch.get_default_dtype() == torch.float64
    finally:
        torch.set_default_dtype(torch.float32)
    assert isinstance(nn.Linear(1, 1).weight, nn.Parameter)
