"""The machinery every exercise shares: the blank, the three answers, bounded runs."""

from __future__ import annotations

import contextlib
import io
import signal
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass

NOT_ATTEMPTED, CORRECT, INCORRECT = "not attempted", "correct", "incorrect"
TIME_LIMIT = 10.0  # seconds a check gives the reader's code on its small inputs


class NotAttempted(Exception):
    """The reader's code reached a blank (``____``) that is still in the starter code."""


class Incorrect(Exception):
    """Raised by a check with the one sentence that names the problem."""


class TookTooLong(Exception):
    pass


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


@dataclass(frozen=True)
class Result:
    """What a check found: ``status`` is "not attempted", "correct" or "incorrect"."""

    status: str
    message: str = ""

    def __bool__(self):
        return self.status == CORRECT

    def __str__(self):
        head = self.status.capitalize()
        return f"{head}: {self.message}" if self.message else f"{head}."


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def raised(what: str, exc: BaseException) -> Incorrect:
    """An Incorrect naming the exception the reader's code raised (never a traceback)."""
    detail = _first_line(exc)
    return Incorrect(f"{what} raised {type(exc).__name__}{': ' + detail if detail else ''}.")


def call(what: str, fn: Callable, *args, **kwargs):
    """``fn(*args)``, where ``fn`` is the reader's code; its errors become an Incorrect."""
    try:
        return fn(*args, **kwargs)
    except (NotAttempted, TookTooLong, Incorrect):
        raise
    except (Exception, SystemExit) as exc:  # the reader's code may raise anything, or exit
        raise raised(what, exc) from None


@contextlib.contextmanager
def time_limit(seconds: float):
    """Stop the reader's code after ``seconds`` (main thread on Unix; elsewhere no limit)."""
    can_alarm = (
        hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not can_alarm:
        yield
        return

    def stop(signum, frame):
        raise TookTooLong

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _one_thread():
    """The checks' steps are tiny: on one thread they run fastest (no waiting on others)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


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
    check_code, carry_on_code
        The lines of the check cell that follows it in a workbook: the check, then the
        rebinding to :meth:`yours_or_ours`, which lets the rest of the workbook run. A
        cell that holds several exercises gets all its checks first, then all rebindings.
    hint, solution
        Text that :meth:`hint` and :meth:`solution` print.
    checker
        ``checker(*args)`` raises ``Incorrect`` or ``NotAttempted``, or returns
        a note (or None) when the answer is right.
    reference
        ``reference(*args)``: what :meth:`yours_or_ours` hands back when the answer is
        not right yet, so the rest of a workbook still runs.
    returns
        How many of the arguments :meth:`yours_or_ours` hands back (a tuple if more
        than one).
    """

    def __init__(
        self, name, task, starter, check_code, carry_on_code, hint, solution, checker, reference,
        returns=1,
    ):  # fmt: skip
        self.returns = returns  # how many of the arguments yours_or_ours hands back
        self.name, self.task, self.starter = name, task, starter
        self.check_code, self.carry_on_code = check_code, carry_on_code
        self._hint, self._solution = hint, solution
        self._checker, self._reference = checker, reference

    def __repr__(self):
        return f"<exercise {self.name}: {self.task}>"

    def result(self, *args) -> Result:
        """Check what the reader wrote; returns a :class:`Result`, prints nothing."""
        if any(is_blank(arg) for arg in args[:1]):
            return Result(
                NOT_ATTEMPTED, f"fill in the blanks (____), then run this again. {self.task}"
            )
        printed = io.StringIO()  # what the reader's code prints while it is checked
        try:
            with contextlib.redirect_stdout(printed), warnings.catch_warnings():
                # The reader's warnings are theirs to see when their own code runs, not
                # each time the check runs it.
                warnings.simplefilter("ignore")
                with time_limit(TIME_LIMIT), _one_thread():
                    note = self._checker(*args)
        except NotAttempted:
            return Result(
                NOT_ATTEMPTED, f"fill in the blanks (____), then run this again. {self.task}"
            )
        except Incorrect as exc:
            return Result(INCORRECT, str(exc))
        except TookTooLong:
            return Result(
                INCORRECT,
                f"your code ran for more than {TIME_LIMIT:g} s on the check's few small inputs; "
                "look for a loop that never ends.",
            )
        except Exception as exc:  # something the reader's code returned that we cannot use
            return Result(
                INCORRECT, f"the check could not use what your code gave: {raised('it', exc)}"
            )
        return Result(CORRECT, note or "")

    def check(self, *args) -> None:
        """Print whether what the reader wrote is right: not attempted, correct or incorrect."""
        print(self.result(*args))  # noqa: T201 -- a check speaks to the reader

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self._hint}")  # noqa: T201

    def solution(self) -> None:
        """Print the solution, the code that ran on the walkthrough's page."""
        print(f"Solution:\n{self._solution}")  # noqa: T201

    def yours_or_ours(self, *args):
        """The reader's first argument if it passes the check, else the package's answer.

        A workbook's later cells use what this returns, so they run even while an
        exercise is unfinished.
        """
        if self.result(*args):
            return args[0] if self.returns == 1 else args[: self.returns]
        print(f"(Carrying on with mnisttutor's answer to {self.name} until yours is correct.)")  # noqa: T201
        return self._reference(*args)
