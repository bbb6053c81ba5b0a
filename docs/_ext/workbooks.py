"""Workbooks: each walkthrough's own notebook, with blanks where the reader types.

:data:`WORKBOOKS` names, for each walkthrough with a workbook, its exercises (in
:mod:`mnisttutor.exercises`) in page order. An exercise on the page is found by its
solution: the exercise's ``solution()`` text stands, exactly, once, in one of the page's
code cells (at any indent), so the workbook's solution is the code that ran on the page,
and the page needs no markers that its downloads would carry. A "your turn" exercise,
whose answer is on no page, names the page section it builds on.

From every walkthrough in the table, :func:`make_workbook` writes
``<walkthrough>_workbook.ipynb``: the page's own notebook (same first cell, same text),

- with each solution replaced by the exercise's starter code and a check cell right
  after the top-level statement that holds it (the class or function, or the lines
  themselves); the rest of the page's cell follows the check;
- with each "your turn" exercise at the end of its section: its text, its starter, its
  check cell.

A check cell imports the checks, runs ``exercises.NAME.check()``, which judges the
reader's code as its own cell last ran, then ``NAME = exercises.NAME.yours_or_ours()``,
which hands the cells below the reader's answer once it is right and mnisttutor's until
then, so the workbook always runs to the end.

Sphinx (``setup``): the workbooks are written at ``builder-inited``, before
sphinx-gallery's own handler, into the gallery folder beside each page's ``.py`` and
``.ipynb``, so they are in the gallery's zip of notebooks. Each page with a workbook gets
one line, "Try it yourself: download the workbook", under its goal, and a download
button beside its notebook's. The directive ``.. exercise-table::`` lists every exercise
for the API reference.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx_gallery import py_source_parser as parser
from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
from sphinx_gallery.notebook import jupyter_notebook

from mnisttutor.exercises import EXERCISES

WORKBOOKS = {  # walkthrough (under examples/): its exercises, in page order
    "01_learning_from_examples/plot_01_km_to_miles.py": ("km_error", "marathon_errors"),
    "01_learning_from_examples/plot_02_learning_loop.py": ("km_update", "marathon_learning"),
    "03_pytorch_tensors_autograd/plot_01_tensors_and_autograd.py": (
        "autograd_x", "autograd_y", "autograd_backward", "autograd_grad", "gradient_check",
    ),
    "04_gpu_acceleration/plot_01_devices.py": ("to_device", "time_matmul"),
    "05_mnist_data/plot_02_mnist_dataset.py": ("dataset_len", "dataset_getitem", "digit_counts"),
    "06_classifier/plot_01_classifier_parts.py": (
        "classifier_init", "classifier_train", "parameter_count",
    ),
    "06_classifier/plot_02_training_and_testing.py": (
        "training_loop", "scoring_loop", "accuracy_per_digit",
    ),
}  # fmt: skip
SUFFIX = "_workbook.ipynb"
INTRO = """\
**This is a workbook.** It is the walkthrough's own code with blanks, `____`, where you
type: replace each `____` with code. Where a whole line is `____  # a comment`, replace
that whole line with the code the comment describes. After each of your cells comes a
check cell: run your cell, then the check, and it says *not attempted*, *correct*, or
*incorrect* with what is wrong. `exercises.NAME.hint()` gives a hint and
`exercises.NAME.solution()` the answer. Until a check says correct, the cells after it
use mnisttutor's answer in place of yours (the check says so), so the workbook always
runs to the end; the checks themselves always judge your own cell, as it last ran. Each
**Your turn** asks for something the walkthrough does not show: only its idea."""
IMPORTS = "from mnisttutor.exercises.workbook import *  # the checks; lets unfilled cells run"
YOUR_TURN = "{intro}\n\n*Builds on: {section}, above.*"


class WorkbookError(ValueError):
    """A walkthrough and its exercises disagree; the message names file and line."""


@dataclass(frozen=True)
class Found:
    name: str
    start: int  # index of the solution's first line in the code block
    end: int  # index of its last line
    indent: str


def _find(lines: list[str], solution: str) -> list[tuple[int, str]]:
    """Where ``solution``'s lines stand in ``lines``, as (first line, indent)."""
    wanted = solution.strip("\n").splitlines()
    found = []
    for i in range(len(lines) - len(wanted) + 1):
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        window = lines[i : i + len(wanted)]
        if all(
            (line == indent + want if want else not line.strip())
            for line, want in zip(window, wanted, strict=True)
        ):
            found.append((i, indent))
    return found


def solutions_in(code: str, names: tuple[str, ...]) -> list[Found]:
    """The page exercises of ``names`` whose solution stands in this code cell."""
    lines = code.splitlines()
    found = []
    for name in names:
        solution = EXERCISES[name]._solution
        for start, indent in _find(lines, solution):
            found.append(
                Found(name, start, start + len(solution.strip("\n").splitlines()) - 1, indent)
            )
    return sorted(found, key=lambda f: f.start)


def _split_points(code: str, blocks: list[Found]) -> list[int]:
    """For each block, the last line of the top-level statement that holds it."""
    statements = ast.parse(code).body
    points = []
    for block in blocks:
        holder = [s for s in statements if s.lineno - 1 <= block.start <= s.end_lineno - 1]
        points.append(max(block.end, holder[0].end_lineno - 1) if holder else block.end)
    return points


def check_cell(names: list[str]) -> str:
    """The check cell after the reader's cell: one comment, the import, each check, and
    the lines that hand the cells below an answer."""
    if len(names) == 1:
        stuck = f"exercises.{names[0]}.hint() gives a hint, .solution() the answer"
    else:
        stuck = f"exercises.NAME.hint() gives a hint, .solution() the answer ({', '.join(names)})"
    lines = [f"# Check your code. Stuck? {stuck}.", "from mnisttutor import exercises"]
    lines += [EXERCISES[n].check_code for n in names]
    lines += [EXERCISES[n].carry_on_code for n in names if EXERCISES[n].carry_on_code]
    return "\n".join(lines) + "\n"


def workbook_blocks(code: str, names: tuple[str, ...]) -> list[tuple[str, str, list[str]]]:
    """One code cell as workbook cells: ``(kind, code, exercise names)`` with kind
    ``"code"`` (starter code) or ``"check"``."""
    blocks = solutions_in(code, names)
    if not blocks:
        return [("code", code, [])]
    lines, cells, current, names_here = code.splitlines(), [], [], []
    starts = {b.start: b for b in blocks}
    splits = _split_points(code, blocks)
    index = 0
    while index < len(lines):
        block = starts.get(index)
        if block is not None:
            starter = EXERCISES[block.name].starter
            current += [block.indent + s if s else s for s in starter.splitlines()]
            names_here.append(block.name)
            index = block.end
        else:
            current.append(lines[index])
        if index in splits and names_here:
            cells += [("code", "\n".join(current).strip("\n") + "\n", names_here)]
            cells += [("check", check_cell(names_here), names_here)]
            current, names_here = [], []
        index += 1
    if "\n".join(current).strip():
        cells.append(("code", "\n".join(current).strip("\n") + "\n", []))
    return cells


def has_workbook(path: Path) -> bool:
    return f"{path.parent.name}/{path.name}" in WORKBOOKS


def _last_heading(text: str) -> str | None:
    """The last section heading in a text cell (a line underlined with - = ~ or ^)."""
    lines = text.splitlines()
    headings = [
        lines[i].strip()
        for i in range(len(lines) - 1)
        if lines[i].strip()
        and lines[i + 1].strip()
        and set(lines[i + 1].strip()) <= set("-=~^")
        and len(lines[i + 1].strip()) >= len(lines[i].strip())
    ]
    return headings[-1] if headings else None


def _your_turn_cells(name: str, lineno: int) -> list:
    exercise = EXERCISES[name]
    return [
        parser.Block(
            "text", YOUR_TURN.format(intro=exercise.intro, section=exercise.section), lineno
        ),
        parser.Block("code", exercise.starter + "\n", lineno),
        parser.Block("code", check_cell([name]), lineno),
    ]


def make_workbook(path: Path, gallery_conf: dict | None = None, names: tuple | None = None) -> dict:
    """The workbook of the walkthrough at ``path``, as notebook JSON (nbformat 4).

    ``names`` are its exercises (default: :data:`WORKBOOKS`'s entry for it)."""
    key = f"{path.parent.name}/{path.name}"
    names = WORKBOOKS.get(key) if names is None else names
    if not names:
        raise WorkbookError(f"{path}: no workbook: it is not in workbooks.WORKBOOKS")
    unknown = [n for n in names if n not in EXERCISES]
    if unknown:
        raise WorkbookError(f"{path}: no exercise {', '.join(unknown)} in mnisttutor.exercises")
    on_page = tuple(n for n in names if not EXERCISES[n].your_turn)
    your_turn = {EXERCISES[n].section: n for n in names if EXERCISES[n].your_turn}
    conf = {**copy.deepcopy(DEFAULT_GALLERY_CONF), **(gallery_conf or {})}
    conf.setdefault("src_dir", str(path.parent))
    _, blocks = parser.split_code_and_text_blocks(str(path))
    cells, seen, section, placed = [], [], None, []
    for label, content, lineno in blocks:
        if label != "code":
            heading = _last_heading(content)
            if heading and section in your_turn:  # the end of the section it builds on
                cells += _your_turn_cells(your_turn[section], lineno)
                placed.append(section)
            section = heading or section
            cells.append(parser.Block(label, content, lineno))
            continue
        content = parser.remove_ignore_blocks(content)
        if conf.get("remove_config_comments"):
            content = parser.remove_config_comments(content)
        for _kind, code, found in workbook_blocks(content, on_page):
            seen += found if _kind == "check" else []
            cells.append(parser.Block("code", code, lineno))
    if section in your_turn and section not in placed:  # the page's last section
        cells += _your_turn_cells(your_turn[section], len(blocks))
        placed.append(section)
    _complain(path, on_page, seen, your_turn, placed)
    notebook = jupyter_notebook(cells, conf, path.parent)
    first = 1 if conf.get("first_notebook_cell") else 0
    intro = [_cell("markdown", INTRO), _cell("code", IMPORTS)]
    notebook["cells"][first + 1 : first + 1] = intro  # after the setup cell and the title
    return notebook


def _complain(path: Path, on_page, seen, your_turn, placed) -> None:
    for name in on_page:
        if seen.count(name) != 1:
            where = "nowhere" if not seen.count(name) else f"{seen.count(name)} times"
            raise WorkbookError(
                f"{path}: the solution of mnisttutor.exercises.{name} stands {where} on the "
                "page; the page's code and the exercise's solution must be the same lines, "
                f"once:\n{EXERCISES[name]._solution}"
            )
    for section, name in your_turn.items():
        if section not in placed:
            raise WorkbookError(
                f"{path}: {name} builds on the section {section!r}, which the page does not "
                "have (a heading renamed?); change the exercise's section to match."
            )


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def fill_in_solutions(notebook: dict) -> dict:
    """A copy of a workbook with every starter replaced by its exercise's solution."""
    solved = copy.deepcopy(notebook)
    for cell in solved["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = _source(cell)
        for exercise in EXERCISES.values():
            source = _replace_indented(source, exercise.starter, exercise._solution)
        cell["source"] = source
    return solved


MISTAKE = "(1 / 0)"  # a wrong answer that raises, for fill_in_mistakes


def fill_in_mistakes(notebook: dict, answer: str = MISTAKE) -> dict:
    """A copy of a workbook with ``answer`` typed into every blank: what a learner's first
    mistakes look like. The workbook must still run to the end, each check saying what
    went wrong."""
    wrong = copy.deepcopy(notebook)
    for cell in wrong["cells"]:
        source = _source(cell)
        if cell["cell_type"] == "code" and source != IMPORTS:
            cell["source"] = source.replace("____", answer)
    return wrong


def _replace_indented(source: str, old: str, new: str) -> str:
    lines, old_lines = source.split("\n"), old.splitlines()
    for i in range(len(lines) - len(old_lines) + 1):
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        window = [
            line[len(indent) :] if line.strip() else line for line in lines[i : i + len(old_lines)]
        ]
        if window == old_lines and all(
            line.startswith(indent) or not line.strip() for line in lines[i : i + len(old_lines)]
        ):
            replacement = [indent + line if line else line for line in new.splitlines()]
            return "\n".join(lines[:i] + replacement + lines[i + len(old_lines) :])
    return source


def write_workbooks(examples_dir: Path, gallery_dir: Path, gallery_conf: dict) -> list[Path]:
    """Write the workbook of every walkthrough in :data:`WORKBOOKS`; returns their paths."""
    written = []
    for key in WORKBOOKS:
        path = examples_dir / key
        target = gallery_dir / path.parent.name / f"{path.stem}{SUFFIX}"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(make_workbook(path, gallery_conf), indent=2) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")  # unchanged: keep the timestamp
        written.append(target)
    return written


# --- Sphinx ----------------------------------------------------------------------------------

PAGE = re.compile(r"auto_examples/(?P<section>[^/]+)/(?P<name>plot_[^/]+)")
FIRST_CODE = ".. GENERATED FROM PYTHON SOURCE LINES"
LINK = (
    ".. rst-class:: sphx-glr-workbook-link\n\n"
    "Try it yourself: :download:`download the workbook <{name}{suffix}>`, this page "
    "with blanks where you type the code, and checks that tell you if it is right.\n\n"
)


def _write(app):
    conf = app.config.sphinx_gallery_conf
    src = Path(app.srcdir)
    examples_dir = (src / conf["examples_dirs"]).resolve()
    gallery_dir = src / conf["gallery_dirs"]
    app.env.mnisttutor_workbooks = {
        f"{p.parent.name}/{p.name.removesuffix(SUFFIX)}"
        for p in write_workbooks(examples_dir, gallery_dir, conf)
    }


def _add_to_zip(app):
    """Put the workbooks in the gallery's zip of notebooks.

    sphinx-gallery builds that zip from the ``.py`` sources, renaming each to ``.ipynb``
    (its ``notebook_extensions``), so files that have no ``.py`` of their own are left
    out; this runs after it (priority 600) and adds them.
    """
    conf = app.config.sphinx_gallery_conf
    gallery_dir = Path(app.srcdir) / conf["gallery_dirs"]
    archive = gallery_dir / f"{gallery_dir.name}_jupyter.zip"
    if not archive.is_file():
        return
    with zipfile.ZipFile(archive, "a") as zipped:
        present = set(zipped.namelist())
        for workbook in sorted(gallery_dir.glob(f"*/*{SUFFIX}")):
            name = workbook.relative_to(gallery_dir).as_posix()
            if name not in present:
                zipped.write(workbook, name)


def _page(app, docname, source):
    page = PAGE.fullmatch(docname)
    if not page or f"{page['section']}/{page['name']}" not in getattr(
        app.env, "mnisttutor_workbooks", ()
    ):
        return
    text = source[0]
    at = text.find(FIRST_CODE)
    if at >= 0:
        text = text[:at] + LINK.format(name=page["name"], suffix=SUFFIX) + text[at:]
    source[0] = FOOTER_JUPYTER.sub(
        lambda m: (
            m[0] + FOOTER_WORKBOOK.format(indent=m["indent"], name=page["name"], suffix=SUFFIX)
        ),
        text,
        count=1,
    )


# The page's download buttons: the workbook's goes right after the notebook's.
FOOTER_JUPYTER = re.compile(
    r"^(?P<indent>[ \t]*)\.\. container:: sphx-glr-download sphx-glr-download-jupyter\n\n"
    r"[ \t]+:download:`[^`]*`\n",
    re.M,
)
FOOTER_WORKBOOK = (
    "\n{indent}.. container:: sphx-glr-download sphx-glr-download-workbook\n\n"
    "{indent}  :download:`Download the workbook: {name}{suffix} <{name}{suffix}>`\n"
)


class ExerciseTable(Directive):
    """``.. exercise-table::``: each exercise's name and task, from mnisttutor.exercises."""

    def run(self):
        items = nodes.bullet_list()
        for name, exercise in EXERCISES.items():
            paragraph = nodes.paragraph()
            paragraph += nodes.literal(text=name)
            paragraph += nodes.Text(f": {exercise.task}")
            if exercise.your_turn:
                paragraph += nodes.Text(f" (your turn, after “{exercise.section}”)")
            items += nodes.list_item("", paragraph)
        return [items]


def setup(app):
    app.connect("builder-inited", _write, priority=400)  # before sphinx-gallery's (500)
    app.connect("builder-inited", _add_to_zip, priority=600)  # after sphinx-gallery's
    app.connect("source-read", _page)
    app.add_directive("exercise-table", ExerciseTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
