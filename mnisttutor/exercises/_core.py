"""The machinery every exercise shares: the blank, the three answers, bounded runs."""

from __future__ import annotations

import functools
import math
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from . import _isolation
from ._isolation import TookTooLong

NOT_ATTEMPTED, CORRECT, INCORRECT = "not attempted", "correct", "incorrect"


class NotAttempted(Exception):
    """The reader's code reached a blank (``____``) that is still in the starter code."""


class Incorrect(Exception):
    """Raised by a check with the one sentence that names the problem."""


class _Blank:
    """``____``: the blank in starter code. Using it in any way means "not typed yet"."""

    def __repr__(self):
        return "____"

    def _not_attempted(self, *args, **kwargs):
        raise NotAttempted

    def __getattr__(self, name):
        if name.startswith("__"):  # introspection (doctest, copy, pickle), not the reader
            raise AttributeError(name)
        raise NotAttempted

    __call__ = __iter__ = __len__ = __getitem__ = __bool__ = _not_attempted
    __float__ = __int__ = __index__ = _not_attempted


for _name in "add sub mul truediv floordiv pow matmul neg lt le gt ge".split():
    setattr(_Blank, f"__{_name}__", _Blank._not_attempted)
    setattr(_Blank, f"__r{_name}__", _Blank._not_attempted)

____ = _Blank()


def is_blank(value) -> bool:
    """Whether ``value`` is the blank, or a tuple or list holding it."""
    if isinstance(value, _Blank):
        return True
    return isinstance(value, tuple | list) and any(isinstance(v, _Blank) for v in value)


MESSAGE_LIMIT = 300  # characters of a verdict's sentence
DETAIL_LIMIT = 120  # characters of an exception's message quoted in it


def _bounded(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Result:
    """What a check found: ``status`` is "not attempted", "correct" or "incorrect"."""

    status: str
    message: str = ""

    def __post_init__(self):
        object.__setattr__(self, "message", _bounded(self.message, MESSAGE_LIMIT))

    def __bool__(self):
        return self.status == CORRECT

    def __str__(self):
        head = self.status.capitalize()
        return f"{head}: {self.message}" if self.message else f"{head}."


# Classic mistakes, named when an exception's message shows one: (type, words in it, note).
CLASSIC = (
    ("TypeError", "object is not callable",
     "is a * missing? (a)(b) calls a; (a) * (b) multiplies"),
    ("NameError", "is not defined", "a missing import, or a cell not run yet?"),
    ("RuntimeError", "Expected all tensors to be on the same device",
     "tensors on different devices: move the model and all its data to one device"),
    ("RuntimeError", "is not on the expected device",
     "tensors on different devices: move the model and all its data to one device"),
    ("RuntimeError", "shapes cannot be multiplied",
     "a shape mistake: one image is (784,), a batch of N images (N, 784)"),
    ("ValueError", "that is different to the input size",
     "the target's shape must be the outputs' shape, (10,) for one image"),
)  # fmt: skip


IMPORTS = {  # names a learner uses before importing them, and the line that imports each
    "torch": "import torch",
    "nn": "from torch import nn",
    "np": "import numpy as np",
    "numpy": "import numpy",
    "pandas": "import pandas",
    "plt": "import matplotlib.pyplot as plt",
    "Dataset": "from torch.utils.data import Dataset",
}


def describe(exc: BaseException) -> str:
    """``TypeError: first line of its message (the classic mistake it shows)``, bounded.

    Never raises, whatever the exception's ``__str__`` does."""
    name = type(exc).__name__
    try:
        text = str(exc).strip()
    except BaseException:
        text = ""
    detail = _bounded(text.splitlines()[0] if text else "", DETAIL_LIMIT).rstrip(".!")
    notes = [note for kind, words, note in CLASSIC if name == kind and words in text]
    missing = getattr(exc, "name", None) if isinstance(exc, NameError) else None
    if missing in IMPORTS:
        notes.insert(0, f"a missing import: {IMPORTS[missing]}")
    return f"{name}{': ' + detail if detail else ''}{' (' + notes[0] + ')' if notes else ''}"


def raised(what: str, exc: BaseException) -> Incorrect:
    """An Incorrect naming the exception the reader's code raised (never a traceback)."""
    return Incorrect(f"{what} raised {describe(exc)}.")


def call(what: str, fn: Callable, *args, **kwargs):
    """``fn(*args)``, where ``fn`` is the reader's code; what it raises becomes an Incorrect.

    Everything is caught, ``SystemExit`` and ``GeneratorExit`` included: the reader's code
    may raise anything. Only the check's own signals pass."""
    try:
        return fn(*args, **kwargs)
    except (NotAttempted, Incorrect, KeyboardInterrupt, TookTooLong):
        raise
    except BaseException as exc:
        raise raised(what, exc) from None


# --- values made plain before they are judged --------------------------------------------
# A reader's object may be a subclass whose comparisons lie, or a tensor on an
# accelerator: judge only Python floats and ints, and CPU tensors of PyTorch's own class.

PLAIN_TENSORS = (torch.Tensor, torch.nn.Parameter)


def plain_tensor(value, what: str) -> torch.Tensor:
    """``value`` as a detached CPU tensor of class ``torch.Tensor``; else an Incorrect."""
    if isinstance(value, np.ndarray):
        raise Incorrect(f"{what} is a numpy array: make it a PyTorch tensor.")
    if type(value) not in PLAIN_TENSORS:
        raise Incorrect(f"{what} is a {type(value).__name__}, not a PyTorch tensor.")
    return torch.Tensor.detach(value).cpu().as_subclass(torch.Tensor)


def number(value, what: str, *, whole: bool = False) -> float | int:
    """``value`` as a finite Python float (or int, if ``whole``); else an Incorrect.

    Accepted: Python and NumPy numbers, and one-number tensors and arrays (0-d or not)."""
    if type(value) in PLAIN_TENSORS or isinstance(value, np.ndarray):
        array = plain_tensor(value, what).numpy() if type(value) in PLAIN_TENSORS else value
        if array.size != 1:
            raise Incorrect(f"{what} has shape {tuple(array.shape)}: it should be one number.")
        value = array.reshape(()).item()  # a Python number
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Incorrect(f"{what} is a {type(value).__name__}, not a number.")
    if whole:
        if isinstance(value, float) and not float.is_integer(float.__float__(value)):
            raise Incorrect(f"{what} is {float.__float__(value):g}, not a whole number.")
        return int(float.__float__(value)) if isinstance(value, float) else int.__int__(value)
    value = float.__float__(value) if isinstance(value, float) else float(int.__int__(value))
    if not math.isfinite(value):
        raise Incorrect(f"{what} is {value}, not a finite number.")
    return value


def close(a: float, b: float) -> bool:
    """Equal up to float32 rounding: a learner may compute in float32 tensors."""
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)


class Exercise:
    """One thing the reader types, with its check, hint and solution (learntools' pattern).

    Parameters
    ----------
    name
        The name used in the walkthroughs' ``# workbook: NAME`` markers.
    task
        One sentence: what to write.
    starter
        The starter code that replaces the solution in a workbook (``____`` marks blanks).
    names
        The reader's names the check takes, in order: ``check()`` and ``yours_or_ours()``
        called without arguments read them from the calling notebook's globals.
    hint, solution
        Text that :meth:`hint` and :meth:`solution` print.
    checker
        ``checker(*args)`` raises ``Incorrect`` or ``NotAttempted``, or returns
        a note (or None) when the answer is right.
    reference
        ``reference(*args)``: what :meth:`yours_or_ours` hands back when the answer is
        not right yet, so the rest of a workbook still runs.
    returns
        How many of the names :meth:`yours_or_ours` hands back (a tuple if more than one).
    """

    def __init__(self, name, task, starter, names, hint, solution, checker, reference, returns=1):
        self.name, self.task, self.starter = name, task, starter
        self.names, self.returns = tuple(names), returns
        self._hint, self._solution = hint, solution
        self._checker, self._reference = checker, reference

    def __repr__(self):
        return f"<exercise {self.name}: {self.task}>"

    @property
    def check_code(self) -> str:
        """The check, as a workbook's check cell has it."""
        return f"exercises.{self.name}.check()"

    @property
    def carry_on_code(self) -> str:
        """The rebinding that lets the rest of a workbook run (see :meth:`yours_or_ours`)."""
        return f"{', '.join(self.names[: self.returns])} = exercises.{self.name}.yours_or_ours()"

    def _not_attempted(self) -> Result:
        return Result(NOT_ATTEMPTED, f"fill in the blanks (____), then run this again. {self.task}")

    def _judge(self, args) -> tuple[str, str]:
        try:
            with warnings.catch_warnings():
                # The reader's warnings are theirs to see when their own code runs, not
                # each time the check runs it.
                warnings.simplefilter("ignore")
                note = self._checker(*args)
            return CORRECT, str(note or "")
        except NotAttempted:
            return NOT_ATTEMPTED, ""
        except Incorrect as exc:
            return INCORRECT, str(exc)
        except (KeyboardInterrupt, TookTooLong):
            raise
        except BaseException as exc:
            return (
                INCORRECT,
                f"the check could not use what your code gave: it raised {describe(exc)}.",
            )

    def result(self, *args) -> Result:
        """Check what the reader wrote; returns a :class:`Result`, prints nothing.

        The check runs isolated (see ``mnisttutor.exercises._isolation``): in a child
        process where possible, so nothing it does reaches the caller's process."""
        if any(is_blank(arg) for arg in args[:1]):
            return self._not_attempted()
        _warm_up()
        status, message = _isolation.run(lambda: self._judge(args))
        if status == NOT_ATTEMPTED:
            return self._not_attempted()
        if status == _isolation.TIMED_OUT:
            return Result(
                INCORRECT,
                f"your code ran for more than {_isolation.TIME_LIMIT:g} s on the check's few "
                "small inputs; look for a loop that never ends.",
            )
        if status not in (CORRECT, INCORRECT):
            return Result(
                INCORRECT,
                "the check's process ended without a verdict: your code may use too much "
                "memory, or end Python itself.",
            )
        return Result(status, message)

    def _arguments(self, namespace: dict) -> tuple[tuple, list[str]]:
        """The reader's names from ``namespace`` (``____`` for those missing), and which
        are missing."""
        missing = [n for n in self.names if n not in namespace]
        return tuple(namespace.get(n, ____) for n in self.names), missing

    def check(self, *args) -> None:
        """Print whether what the reader wrote is right: not attempted, correct or incorrect.

        Without arguments, the check reads its names from the caller's globals (the
        notebook's); if the reader's cell raised, so that they are missing or still
        blank, it says so."""
        if args:
            print(self.result(*args))  # noqa: T201 -- a check speaks to the reader
            return
        args, missing = self._arguments(sys._getframe(1).f_globals)
        undefined = f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not defined"
        raised_above = _new_exception()
        result = None if missing else self.result(*args)
        if raised_above is not None and (missing or result.status == NOT_ATTEMPTED):
            why = f"your cell above raised {describe(raised_above)}; fix it and run both again"
            result = Result(INCORRECT, f"{undefined}: {why}." if missing else f"{why}.")
        elif missing:
            result = Result(INCORRECT, f"{undefined}: run the cell above.")
        print(result)  # noqa: T201

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self._hint}")  # noqa: T201

    def solution(self) -> None:
        """Print the solution, the code that ran on the walkthrough's page."""
        print(f"Solution:\n{self._solution}")  # noqa: T201

    def yours_or_ours(self, *args):
        """The reader's answer if it passes the check, else the package's answer.

        A workbook's later cells use what this returns, so they run even while an
        exercise is unfinished. Without arguments it reads its names from the caller's
        globals, as :meth:`check` does.
        """
        if not args:
            args, _ = self._arguments(sys._getframe(1).f_globals)
        if self.result(*args):
            return args[0] if self.returns == 1 else args[: self.returns]
        print(f"(Carrying on with mnisttutor's answer to {self.name} until yours is correct.)")  # noqa: T201
        return self._reference(*args)


_seen = [None]  # the last exception a check has already told the reader about


def _new_exception() -> BaseException | None:
    """The exception the notebook last showed (IPython keeps it in ``sys.last_exc``, or
    ``sys.last_value`` before Python 3.12), if no check has reported it yet."""
    last = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    if last is None or last is _seen[0]:
        return None
    _seen[0] = last
    return last


@functools.cache
def _warm_up() -> None:
    """Load, once and in this process, what PyTorch loads on first use: its optimisers'
    first step imports ``torch._dynamo``, some 800 modules (2 s). A child process that
    loaded them would lose them when it exits, and load them again for every check. The
    learner's random state and environment variables are left as they were (importing
    ``torch._inductor`` sets ``TORCHINDUCTOR_CACHE_DIR``)."""
    environ = dict(os.environ)
    try:
        with torch.random.fork_rng(devices=[]):
            layer = torch.nn.Linear(2, 1)
            optimiser = torch.optim.SGD(layer.parameters(), lr=0.1)
            outputs = torch.sigmoid(layer(torch.zeros(2)))
            torch.nn.functional.binary_cross_entropy(outputs, torch.ones(1)).backward()
            optimiser.step()
            optimiser.zero_grad()
    finally:
        for name in os.environ.keys() - environ.keys():
            del os.environ[name]
        os.environ.update(environ)
