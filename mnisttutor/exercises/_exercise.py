"""An exercise: what the reader types, its check, hint and solution (learntools' pattern),
and how a workbook's later cells carry on while the reader's answer is not right yet.

In a notebook a check judges the reader's code as its own cell last ran (see
``_session``), never what the names hold now: the cells after a check may use
mnisttutor's answer in the reader's place, and a check run again, or after other cells,
must still judge the reader's code. ``yours_or_ours`` hands the later cells the reader's
answer once it is right, and until then mnisttutor's, saying so; the check knows each
answer it lent and never judges one.
"""

from __future__ import annotations

import functools
import re
import sys
import warnings
from collections.abc import Callable

import torch

from . import _isolation, _session
from ._core import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    Incorrect,
    NotAttempted,
    Result,
    ____,
    context,
    describe,
    is_blank,
    mentions_blank,
)
from ._isolation import TookTooLong

MISSING = ____  # a name the notebook does not have: judged as the blank


class Exercise:
    """One thing the reader types, with its check, hint and solution.

    Parameters
    ----------
    name
        The exercise's name: ``exercises.NAME.check()``.
    task
        One sentence: what to write.
    starter
        The starter code a workbook shows (``____`` marks blanks: a name or an expression
        right of ``=``, or a whole line ``____  # what it does``).
    names
        The reader's names the check takes, in order: its own first, then those it reads
        for context. ``check()`` and ``yours_or_ours()`` read them from the notebook.
    hint, solution
        Text that :meth:`hint` and :meth:`solution` print.
    checker
        ``checker(*values)`` raises ``Incorrect`` or ``NotAttempted``, or returns
        a note (or None) when the answer is right.
    reference
        ``reference(*values)``: mnisttutor's answer, in the reader's place, while theirs
        is not right (a value missing from the notebook comes as ``____``).
    returns
        How many of the names :meth:`yours_or_ours` hands back (a tuple if more than one).
    cell_names
        The names whose assignment marks the exercise's cell (default: those returned).
    cell_pattern
        A regular expression that marks the exercise's cell, for a line that sets no name
        (``y.backward()``).
    scope
        For a class, the methods the reader writes: a blank left in them means the
        exercise is not attempted.
    lent
        What the cells below get in the reader's place, in words.
    notes
        ``(exception class name, words in its message, note)``: classic mistakes of this
        exercise, named in the sentence about an exception that shows one.
    section
        For a "your turn" exercise, whose answer is not on the page: the page's section
        it builds on. A workbook puts it at the end of that section.
    intro
        For a "your turn" exercise: the text a workbook shows before its cell (Markdown).
    """

    def __init__(
        self,
        name: str,
        task: str,
        starter: str,
        names: tuple[str, ...],
        hint: str,
        solution: str,
        checker: Callable,
        reference: Callable,
        returns: int = 1,
        *,
        cell_names: tuple[str, ...] | None = None,
        cell_pattern: str | None = None,
        scope: tuple[str, ...] = (),
        lent: str | None = None,
        notes: tuple = (),
        section: str | None = None,
        intro: str | None = None,
    ):
        self.name, self.task, self.starter = name, task, starter
        self.names, self.returns = tuple(names), returns
        self._hint, self._solution = hint, solution
        self._checker, self._reference = checker, reference
        self.cell_names = tuple(self.names[: max(returns, 1)] if cell_names is None else cell_names)
        self.cell_pattern = re.compile(cell_pattern, re.M) if cell_pattern else None
        self.scope, self.notes = tuple(scope), tuple(notes)
        held = " and ".join(self.names[:returns])
        self.lent = lent or f"{held} {'holds' if returns == 1 else 'hold'} mnisttutor's answer"
        self.section, self.intro = section, intro
        self._last = None  # (the check cell's number, the cell run judged, its Result)
        _session.REGISTRY[name] = self

    def __repr__(self):
        return f"<exercise {self.name}: {self.task}>"

    # --- what a workbook shows ---------------------------------------------------------

    @property
    def your_turn(self) -> bool:
        """Whether the answer is on no page, only its idea (a "your turn" exercise)."""
        return self.section is not None

    @property
    def comments(self) -> tuple[str, ...]:
        """The comments of the starter's blank lines, which mark the exercise's cell."""
        found = []
        for line in self.starter.splitlines():
            if "____" in line and "#" in line:
                comment = line.split("#", 1)[1].strip()
                if len(comment) >= 12:  # long enough to be this exercise's own
                    found.append("# " + comment)
        return tuple(found)

    @property
    def check_code(self) -> str:
        """The check, as a workbook's check cell has it."""
        return f"exercises.{self.name}.check()"

    @property
    def carry_on_code(self) -> str | None:
        """The line that hands the cells below the reader's answer once it is right, and
        mnisttutor's until then (see :meth:`yours_or_ours`); None if they need nothing."""
        if not self.returns:
            return None
        return f"{', '.join(self.names[: self.returns])} = exercises.{self.name}.yours_or_ours()"

    def hint(self) -> None:
        """Print a hint."""
        print(f"Hint: {self._hint}")  # noqa: T201 -- a check speaks to the reader

    def solution(self) -> None:
        """Print the solution: for an exercise on a page, the code that ran there."""
        print(f"Solution:\n{self._solution}")  # noqa: T201

    # --- judging -----------------------------------------------------------------------

    def _not_attempted(self, how: str = "fill in the blanks (____), then run this again") -> Result:
        return Result(NOT_ATTEMPTED, f"{how}. {self.task}")

    def _blank_lines_left(self, source: str | None) -> bool:
        """Whether a starter line that is a whole blank, ``____  # what it does``, is still
        in the cell as it was shipped."""
        if source is None:
            return False
        lines = {line.strip() for line in source.splitlines()}
        return any(
            line.strip() in lines
            for line in self.starter.splitlines()
            if line.strip().startswith("____ ")
        )

    def _judge(self, args, run) -> tuple[str, str]:
        """The verdict, in the check's process: blanks first, then the checker."""
        context.source = run.source if run else None
        context.code = run.code if run else None
        context.namespace = run.namespace if run else None
        context.notes = self.notes
        try:
            with warnings.catch_warnings():
                # The reader's warnings are theirs to see when their own code runs, not
                # each time the check runs it.
                warnings.simplefilter("ignore")
                if (
                    is_blank(args[0])
                    or mentions_blank(args[0], self.scope)
                    or self._blank_lines_left(context.source)
                ):
                    raise NotAttempted
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
        finally:
            context.source = context.code = context.namespace = None
            context.notes = ()

    def result(self, *args, run=None) -> Result:
        """Check what the reader wrote; returns a :class:`Result`, prints nothing.

        ``run``, where known, is the run of the cell that made ``args`` (a
        ``_session.CellRun``): some checks run that cell again on other inputs. The check
        runs isolated (``mnisttutor.exercises._isolation``): in a child process where
        possible, so nothing it does reaches the caller's process.
        """
        if args and type(args[0]) is type(____):  # (asks nothing of the reader's object)
            return self._not_attempted()
        _warm_up()
        status, message = _isolation.run(lambda: self._judge(args, run))
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

    def _in_notebook(self, namespace: dict) -> tuple[Result, _session.CellRun | None]:
        """The verdict on the reader's code as its cell last ran, and that run."""
        recorder = _session.recorder(summarise)
        run = recorder.runs.get(self.name) if recorder else None
        own = self.names[: max(self.returns, 1)]
        if run is None:  # no record: the names as they are, what was lent left out
            values = {n: namespace[n] for n in self.names if n in namespace}
            values = {n: v for n, v in values.items() if not _lending.is_lent(v)}
            if not any(n in values for n in own):
                what = " and ".join(own)
                return Result(
                    NOT_ATTEMPTED,
                    f"{what} {'is' if len(own) == 1 else 'are'} not set yet: fill in the "
                    f"cell above and run it, then this check. {self.task}",
                ), None
            return self.result(*(values.get(n, MISSING) for n in self.names)), None
        if run.raised is not None:
            if run.raised.not_attempted:
                return self._not_attempted(
                    "fill in the blanks (____) in your cell above, run it, then this check"
                ), run
            return Result(
                INCORRECT,
                f"your cell above (run as [{run.count}]) raised {run.raised.text}; fix it, "
                "run it, then this check.",
            ), run
        missing = [n for n in self.cell_names if n in self.names and n not in run.values]
        if missing:
            return Result(
                INCORRECT,
                f"your cell above (run as [{run.count}]) did not set {' or '.join(missing)}: "
                "keep the name on the left of =, run it, then this check.",
            ), run
        return self.result(*(run.values.get(n, MISSING) for n in self.names), run=run), run

    def _verdict(self, namespace: dict):
        """The verdict and the run it judged, once per check cell: the cell's
        ``yours_or_ours`` line uses the verdict its ``check`` line printed."""
        count = _session.current_count()
        if count is not None and self._last is not None and self._last[0] == count:
            return self._last[1], self._last[2]
        result, run = self._in_notebook(namespace)
        self._last = (count, result, run)
        return result, run

    def check(self, *args) -> None:
        """Print whether what the reader wrote is right: not attempted, correct or incorrect.

        Without arguments, in a notebook, the check judges the reader's code as its own
        cell last ran; if that run raised, it says so in one sentence."""
        if args:
            print(self.result(*args))  # noqa: T201 -- a check speaks to the reader
            return
        try:
            result, _ = self._verdict(sys._getframe(1).f_globals)
        except (KeyboardInterrupt, TookTooLong):
            raise
        except BaseException as exc:  # the check's own fault: one sentence, never a traceback
            result = Result(INCORRECT, f"the check itself failed ({describe(exc)}): run it again.")
        print(result)  # noqa: T201

    def yours_or_ours(self, *args):
        """The reader's answer if it passes the check, else mnisttutor's, for the cells
        below; it says so when it lends its own. Never raises.

        Without arguments it reads the notebook, as :meth:`check` does, and reuses the
        verdict that the check cell's ``check()`` just printed."""
        if args:
            values = args
            ok = bool(self.result(*args))
            run = None
        else:
            namespace = sys._getframe(1).f_globals
            try:
                result, run = self._verdict(namespace)
            except (KeyboardInterrupt, TookTooLong):
                raise
            except BaseException:
                result, run = Result(INCORRECT), None
            ok = bool(result)
            values = tuple(self._current(namespace, run, n) for n in self.names)
        if ok:
            return values[0] if self.returns == 1 else values[: self.returns]
        answer = _lending.lend(self, values, run)
        print(f"(Until your answer is right, {self.lent}, so that the cells below run.)")  # noqa: T201
        return answer

    def _current(self, namespace: dict, run, name: str):
        """What the cells below are to build on for ``name``: what this check cell has
        just lent for it (a class with one method of mnisttutor's), else the reader's value
        from the judged run, else what the notebook holds."""
        now = namespace.get(name, MISSING)
        if _lending.lent_in_this_cell(now):
            return now
        if run is not None and name in run.values:
            return run.values[name]
        return MISSING if _lending.is_lent(now) else now


class _Lending:
    """The answers the checks lent, so that none is ever judged as the reader's."""

    KEEP = 8  # answers remembered per exercise: enough for any check run again

    def __init__(self):
        self.lent: dict[str, list] = {}
        self.cell: dict[int, int | None] = {}  # id of an answer -> the cell that lent it
        self.by_run: dict[str, tuple] = {}  # exercise -> (run judged, values, answer lent)

    def is_lent(self, value) -> bool:
        return any(value is answer for answers in self.lent.values() for answer in answers)

    def lent_in_this_cell(self, value) -> bool:
        count = _session.current_count()
        return count is not None and self.is_lent(value) and self.cell.get(id(value)) == count

    def lend(self, exercise: Exercise, values: tuple, run=None):
        """mnisttutor's answer, built on ``values`` (what of the reader's it keeps). The
        same answer again for the same run of the reader's cell and the same values, so a
        check run twice hands the cells below the same objects (section 3's x and y)."""
        previous = self.by_run.get(exercise.name)
        if (
            run is not None
            and previous is not None
            and previous[0] is run
            and all(a is b for a, b in zip(previous[1], values, strict=True))
        ):
            answers = previous[2] if exercise.returns > 1 else (previous[2],)
            for item in answers:
                self.cell[id(item)] = _session.current_count()
            return previous[2]
        try:
            answer = exercise._reference(*values)
        except Exception:  # the reader's half of it is unusable: mnisttutor's whole answer
            answer = exercise._reference(*(MISSING for _ in values))
        answers = answer if exercise.returns > 1 else (answer,)
        kept = self.lent.setdefault(exercise.name, [])
        for item in answers:
            kept.append(item)
            self.cell[id(item)] = _session.current_count()
        for old in kept[: -self.KEEP]:
            self.cell.pop(id(old), None)
        del kept[: -self.KEEP]
        self.by_run[exercise.name] = (run, values, answer)
        return answer


_lending = _Lending()


def summarise(exc: BaseException, source: str, exercise: Exercise) -> _session.Raised:
    """What an exercise's cell raised, in words (with the exercise's own notes), for the
    recorder."""
    return _session.Raised(
        type(exc).__name__,
        describe(exc, source, exercise.notes),  # (bounded: DETAIL_LIMIT, and a short note)
        not_attempted=isinstance(exc, NotAttempted),
    )


@functools.cache
def _warm_up() -> None:
    """Load, once and in this process, what PyTorch loads on first use: its optimisers'
    first step imports ``torch._dynamo``, some 800 modules (2 s). A child process that
    loaded them would lose them when it exits, and load them again for every check.
    Nothing of the reader's changes: their random state, and all that
    :func:`~mnisttutor.exercises._isolation.leaves_no_trace` puts back."""
    with _isolation.leaves_no_trace(), torch.random.fork_rng(devices=[]), torch.enable_grad():
        layer = torch.nn.Linear(2, 1)
        optimiser = torch.optim.SGD(layer.parameters(), lr=0.1)
        outputs = torch.sigmoid(layer(torch.zeros(2)))
        torch.nn.functional.binary_cross_entropy(outputs, torch.ones(1)).backward()
        optimiser.step()
        optimiser.zero_grad()
