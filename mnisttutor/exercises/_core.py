"""The machinery every check shares: the blank, the three answers, plain values, one
sentence for an exception, and what a check knows of the cell it judges."""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

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

    def __format__(self, spec):
        raise NotAttempted

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
BLANK = "____"  # the blank's name, as the starter code and the reader's code hold it


def is_blank(value) -> bool:
    """Whether ``value`` is the blank, or a plain tuple or list holding it.

    Asks nothing of ``value`` itself (no ``__class__``, no ``__iter__`` of a subclass):
    the reader's object may do anything when asked."""
    if type(value) is _Blank:
        return True
    if type(value) in (tuple, list):
        return any(type(v) is _Blank for v in value)
    return False


MESSAGE_LIMIT = 300  # characters of a verdict's sentence
DETAIL_LIMIT = 80  # characters of an exception's message quoted in it


def bounded(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Result:
    """What a check found: ``status`` is "not attempted", "correct" or "incorrect"."""

    status: str
    message: str = ""

    def __post_init__(self):
        object.__setattr__(self, "message", bounded(self.message, MESSAGE_LIMIT))

    def __bool__(self):
        return self.status == CORRECT

    def __str__(self):
        head = self.status.capitalize()
        return f"{head}: {self.message}" if self.message else f"{head}."


# --- what the check knows of the cell it judges --------------------------------------------


@dataclass
class Context:
    """Set while a check runs: the cell whose code it judges (None outside a notebook, or
    when its cell never ran) and the exercise's own notes on exceptions."""

    source: str | None = None  # the cell as typed: for notes that depend on the code
    code: str | None = None  # the cell as Python runs it: for re-runs
    namespace: dict | None = None  # the notebook's names, copied for each re-run
    notes: tuple = ()


context = Context()


def rerun(**overrides) -> dict | None:
    """Run the judged cell again on a copy of the notebook's names, ``overrides`` put in
    first; returns the names after it. None when there is no cell to run.

    A check sees what a cell's code does with other inputs, not only the one value it
    left: ``error = 12.1371`` typed in is not ``true_miles - guess``. What the re-run
    raises becomes an Incorrect that says which inputs were changed."""
    if context.code is None or context.namespace is None:
        return None
    namespace = dict(context.namespace)
    namespace.update(overrides)
    try:
        exec(compile(context.code, "<your cell, run again by the check>", "exec"), namespace)
    except (NotAttempted, KeyboardInterrupt, TookTooLong):
        raise
    except BaseException as exc:
        changed = ", ".join(f"{k} = {_shown(v)}" for k, v in overrides.items())
        raise Incorrect(
            f"run again with {changed}, your cell raised {describe(exc)}: it should work "
            "for any such values."
        ) from None
    return namespace


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, torch.device):
        return f'torch.device("{value}")'
    return bounded(repr(value), 40)


# --- an exception in one sentence ------------------------------------------------------------

# Classic mistakes, named when an exception's message shows one: (type, words in it, note).
CLASSIC = (
    ("NameError", "is not defined", "a missing import, or a cell not run yet?"),
    ("RuntimeError", "Expected all tensors to be on the same device",
     "tensors on different devices: move the model and all its data to one device"),
    ("RuntimeError", "is not on the expected device",
     "tensors on different devices: move the model and all its data to one device"),
    ("RuntimeError", "shapes cannot be multiplied",
     "a shape mistake: print the .shape of each tensor"),
    ("RuntimeError", "backward through the graph a second time",
     "backward() already used this graph: compute the loss again, then call backward()"),
    ("TypeError", "is not a Module subclass",
     "a layer written without brackets: the class itself, not a layer made from it"),
    ("TypeError", "as child module",
     "a layer or a loss written without brackets: the class itself, not one made from it"),
)  # fmt: skip
TWO_BRACKETS = re.compile(r"\)\s*\(")

IMPORTS = {  # names a learner uses before importing them, and the line that imports each
    "torch": "import torch",
    "nn": "from torch import nn",
    "np": "import numpy as np",
    "numpy": "import numpy",
    "pandas": "import pandas",
    "plt": "import matplotlib.pyplot as plt",
    "Dataset": "from torch.utils.data import Dataset",
    BLANK: "the workbook's first code cell, from mnisttutor.exercises.workbook import *",
}


def _note(name: str, text: str, source: str | None, notes: tuple) -> str | None:
    if name == "TypeError" and "object is not callable" in text:
        if source is None or TWO_BRACKETS.search(source):
            return "is a * missing? (a)(b) calls a; (a) * (b) multiplies"
        return (
            "a value that is not a function was called: a number, or an attribute such as "
            "x.grad, takes no ()"
        )
    for kind, words, note in (*notes, *CLASSIC):
        if name == kind and words in text:
            return note
    return None


def describe(exc: BaseException, source: str | None = None, notes: tuple | None = None) -> str:
    """``TypeError: first line of its message (the classic mistake it shows)``, bounded.

    ``source`` is the code that raised it, where known: some notes depend on it; ``notes``
    are an exercise's own (by default, those of the check running). Never raises, whatever
    the exception's ``__str__`` does."""
    name = type(exc).__name__
    try:
        text = str(exc).strip()
    except BaseException:
        text = ""
    detail = bounded(text.splitlines()[0] if text else "", DETAIL_LIMIT).rstrip(".!")
    source = source if source is not None else context.source
    note = _note(name, text, source, context.notes if notes is None else notes)
    missing = getattr(exc, "name", None) if isinstance(exc, NameError) else None
    if missing in IMPORTS:
        note = f"a missing import: {IMPORTS[missing]}"
    return f"{name}{': ' + detail if detail else ''}{' (' + note + ')' if note else ''}"


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


def _numpy_scalar(value) -> bool:
    return isinstance(value, np.generic) and type(value).__module__ == "numpy"


def number(value, what: str, *, whole: bool = False) -> float | int:
    """``value`` as a finite Python float (or int, if ``whole``); else an Incorrect.

    Accepted: Python and NumPy numbers, and one-number tensors and arrays (0-d or not). A
    class of number of the reader's own (a float whose ``==`` does something else) is not
    a number that behaves as one: it gets its own sentence."""
    if type(value) in PLAIN_TENSORS or type(value) is np.ndarray:
        array = plain_tensor(value, what).numpy() if type(value) in PLAIN_TENSORS else value
        if array.size != 1:
            raise Incorrect(f"{what} has shape {tuple(array.shape)}: it should be one number.")
        value = array.reshape(()).item()  # a Python number
    elif _numpy_scalar(value):
        value = value.item()
    if type(value) not in (int, float):
        kind = type(value).__name__
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise Incorrect(f"{what} is a {kind}, a number class of its own: give a plain number.")
        raise Incorrect(f"{what} is a {kind}, not a number.")
    if whole:
        if type(value) is float and not value.is_integer():
            raise Incorrect(f"{what} is {value:g}, not a whole number.")
        return int(value)
    value = float(value)
    if not math.isfinite(value):
        raise Incorrect(f"{what} is {value}, not a finite number.")
    return value


def close(a: float, b: float) -> bool:
    """Equal up to float32 rounding: a learner may compute in float32 tensors."""
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)


def mentions_blank(obj, scope: tuple[str, ...] = ()) -> bool:
    """Whether the reader's function (or, for a class, its methods named in ``scope``)
    still holds a blank, ``____``, anywhere in its code: a line ``____  # what to do``
    that was never replaced does nothing when it runs, so only the code can tell."""
    functions = [vars(obj).get(name) for name in scope] if isinstance(obj, type) else [obj]
    seen: set[int] = set()
    while functions:
        function = functions.pop()
        if type(function) is not types.FunctionType or id(function) in seen:
            continue
        seen.add(id(function))
        # The functions it closes over are its code too (a method that calls a helper).
        functions += [cell.cell_contents for cell in function.__closure__ or ()
                      if type(_contents(cell)) is types.FunctionType]  # fmt: skip
        codes = [function.__code__]
        while codes:
            code = codes.pop()
            if BLANK in code.co_names:
                return True
            codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return False


def _contents(cell):
    try:
        return cell.cell_contents
    except ValueError:  # a cell not filled yet
        return None
