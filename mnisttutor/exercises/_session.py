"""What the notebook's cells did: the latest run of each exercise's cell, from IPython.

A learner runs cells in any order: a check twice, a cell fixed and not run again, an
unrelated cell that fails, a check before its cell. So a check does not judge whatever
the notebook's names hold when it runs, nor blame the kernel's latest exception. It
judges what the exercise's own cell left, the last time that cell ran, and blames an
error only if that run raised it.

IPython calls :class:`Recorder` after every cell (its ``post_run_cell`` event, with the
cell's number, its code and what it raised). A cell is an exercise's cell when it sets
one of the exercise's names (``error = ...``, ``def learn``, ``class MnistDataset``),
has the exercise's own line (``y.backward()``) or keeps one of the comments of its
starter code, and is not a check cell. The recorder
keeps, for each exercise, the latest such run: what it raised, or the values of the
exercise's names right after it. Outside IPython there is no record, and a check
judges the names as they are.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

REGISTRY: dict = {}  # exercise name -> Exercise, filled as each is made


@dataclass(frozen=True)
class Raised:
    """What a cell raised, in words (the exception itself is not kept: its traceback
    holds the frames of whatever ran)."""

    kind: str  # the exception's class name
    text: str  # one bounded line: "ZeroDivisionError: division by zero"
    not_attempted: bool = False  # it was the blank, ____, being used


@dataclass(frozen=True)
class CellRun:
    """One run of an exercise's cell."""

    count: int | None  # IPython's execution count: the cell is In[count]
    source: str  # the code as the learner typed it
    code: str  # the code as Python ran it (IPython's % and ! lines translated)
    raised: Raised | None
    values: dict = field(repr=False)  # the exercise's names right after the run
    namespace: dict = field(repr=False)  # the notebook's own namespace, for re-runs


def shell():
    """The running IPython shell, or None (plain Python, or IPython not imported)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:
        return None


class Recorder:
    """IPython's ``post_run_cell`` callback: keeps each exercise's latest cell run."""

    def __init__(self, ipython, summarise: Callable[[BaseException, str, object], Raised]):
        self.shell, self.summarise = ipython, summarise
        self.runs: dict[str, CellRun] = {}

    def __call__(self, result) -> None:
        info = getattr(result, "info", None)
        if info is None or getattr(info, "silent", False) or result.execution_count is None:
            return
        source = info.raw_cell or ""
        try:
            code = self.shell.transform_cell(source)
        except Exception:
            code = source
        bound = bound_names(code)
        error = result.error_before_exec or result.error_in_exec
        namespace = self.shell.user_ns
        for name, exercise in REGISTRY.items():
            if not owns(exercise, source, bound):
                continue
            raised = None if error is None else self.summarise(error, source, exercise)
            values = {} if raised else {n: namespace[n] for n in exercise.names if n in namespace}
            self.runs[name] = CellRun(
                result.execution_count, source, code, raised, values, namespace
            )


_recorders: dict[int, Recorder] = {}


def recorder(summarise: Callable[[BaseException, str, object], Raised]) -> Recorder | None:
    """This IPython shell's recorder, registered on first use; None outside IPython."""
    ipython = shell()
    if ipython is None or not hasattr(ipython, "events"):
        return None
    key = id(ipython)
    if key not in _recorders:
        _recorders[key] = Recorder(ipython, summarise)
        ipython.events.register("post_run_cell", _recorders[key])
    return _recorders[key]


def current_count() -> int | None:
    """The number of the cell running now (IPython counts it before it runs)."""
    ipython = shell()
    return getattr(ipython, "execution_count", None)


CHECK_CALL = re.compile(r"\bexercises\.\w+\.(?:check|yours_or_ours)\(")


def owns(exercise, source: str, bound: set[str]) -> bool:
    """Whether a cell with this code is ``exercise``'s: it sets one of its names or keeps
    a comment of its starter, and it is not a check cell."""
    if CHECK_CALL.search(source):
        return False
    if bound & set(exercise.cell_names):
        return True
    if exercise.cell_pattern is not None and exercise.cell_pattern.search(source):
        return True
    return any(comment in source for comment in exercise.comments)


class _Bound(ast.NodeVisitor):
    """The names a cell binds in the notebook's namespace: not inside functions, classes,
    lambdas or comprehensions, which have scopes of their own."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Store | ast.Del):
            self.names.add(node.id)

    def _defines(self, node):
        self.names.add(node.name)
        for decorator in node.decorator_list:
            self.visit(decorator)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _defines

    def visit_Lambda(self, node):
        pass

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda

    def visit_alias(self, node):
        if node.name != "*":
            self.names.add((node.asname or node.name).split(".")[0])


ASSIGNED = re.compile(r"^[ \t]*(?:(?:async[ \t]+)?def[ \t]+|class[ \t]+)?(\w+)", re.M)


def bound_names(code: str) -> set[str]:
    """The names a cell binds at the top level. A cell that does not parse binds none,
    but its lines that start with a name, a def or a class still say which they meant."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return set(ASSIGNED.findall(code))
    visitor = _Bound()
    visitor.visit(tree)
    return visitor.names
