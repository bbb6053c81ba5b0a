"""Workbooks: each walkthrough's own notebook, with blanks where the reader types.

A walkthrough marks the lines a learner types in one of its code cells::

    # workbook: NAME
    <the solution: exactly the code that runs on the page>
    # workbook: end

where NAME is an exercise in :mod:`mnisttutor.exercises`. From every
``examples/**/plot_*.py`` with such markers, :func:`make_workbook` writes
``<walkthrough>_workbook.ipynb``: the page's own notebook (same first cell, same text),
with each marked block replaced by the exercise's starter code and a check cell right
after the top-level statement that holds it (the class or function, or the block
itself). A check cell runs each exercise's check, ``exercises.NAME.check()``, which reads
the reader's names from the notebook (and says so in one sentence when the cell above
raised and left them undefined), then rebinds them to ``exercises.NAME.yours_or_ours()``,
so the cells after it run even while an exercise is unfinished or raises.

Sphinx (``setup``): the workbooks are written at ``builder-inited``, before
sphinx-gallery's own handler, into the gallery folder beside each page's ``.py`` and
``.ipynb``, so they are in the gallery's zip of notebooks. Each page with a workbook gets
one line, "Try it yourself: download the workbook", under its goal; the two marker
comments are dropped from the rendered code (they stay in the downloads, where they name
the exercise to ask for a hint). The directive ``.. exercise-table::`` lists every
exercise for the API reference.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx_gallery import py_source_parser as parser
from sphinx_gallery.gen_gallery import DEFAULT_GALLERY_CONF
from sphinx_gallery.notebook import jupyter_notebook

from mnisttutor.exercises import EXERCISES

MARKER = re.compile(r"^(?P<indent>[ \t]*)# workbook: (?P<name>[\w-]+)[ \t]*$")
SUFFIX = "_workbook.ipynb"
INTRO = """\
**This is a workbook.** It is the walkthrough's own code with blanks, `____`, where you
type. After each blank comes a check cell: run it, and it says *not attempted*,
*correct*, or *incorrect* with what is wrong. `exercises.NAME.hint()` gives a hint and
`exercises.NAME.solution()` the answer. Until a check says correct, the cells after it
use mnisttutor's answer, so the workbook always runs to the end."""
IMPORTS = "from mnisttutor import exercises\nfrom mnisttutor.exercises import ____"


class WorkbookError(ValueError):
    """A walkthrough's workbook markers are malformed; the message names file and line."""


@dataclass(frozen=True)
class Marked:
    name: str
    start: int  # index of the "# workbook: NAME" line in the code block
    end: int  # index of its "# workbook: end" line
    indent: str


def marked_blocks(code: str, where: str = "<code>", first_line: int = 1) -> list[Marked]:
    """The marked blocks of one code cell, checked: known names, each opened and closed.

    ``first_line`` is the cell's first line in its file, for the error messages.
    """
    found, open_block = [], None
    for index, line in enumerate(code.splitlines()):
        at = f"{where}, line {first_line + index}"
        match = MARKER.match(line)
        if not match:
            continue
        name, indent = match["name"], match["indent"]
        if name == "end":
            if open_block is None:
                raise WorkbookError(f"{at}: '# workbook: end' opens nothing")
            found.append(Marked(open_block[0], open_block[1], index, open_block[2]))
            open_block = None
        elif open_block is not None:
            raise WorkbookError(
                f"{at}: '# workbook: {name}' inside the open block "
                f"{open_block[0]}; close that one with '# workbook: end' first"
            )
        elif name not in EXERCISES:
            raise WorkbookError(
                f"{at}: no exercise {name!r} in mnisttutor.exercises "
                f"(there are: {', '.join(EXERCISES)})"
            )
        else:
            open_block = (name, index, indent)
    if open_block is not None:
        raise WorkbookError(
            f"{where}, line {first_line + open_block[1]}: '# workbook: {open_block[0]}' is "
            "never closed in its cell"
        )
    return found


def solution_lines(code: str, block: Marked) -> str:
    """The marked lines of ``block``, dedented: what the reader is to type."""
    return textwrap.dedent("\n".join(code.splitlines()[block.start + 1 : block.end]))


def _check_solution(code: str, block: Marked, where: str, first_line: int) -> None:
    expected = EXERCISES[block.name]._solution
    if solution_lines(code, block).strip() != expected.strip():
        raise WorkbookError(
            f"{where}, line {first_line + block.start}: the lines marked {block.name} differ from "
            f"mnisttutor.exercises.{block.name}'s solution; make the two the same, so the "
            "workbook's solution is the code that ran on the page"
        )


def _split_points(code: str, blocks: list[Marked]) -> list[int]:
    """For each block, the last line of the top-level statement that holds it."""
    statements = ast.parse(code).body
    points = []
    for block in blocks:
        holder = [s for s in statements if s.lineno - 1 <= block.start <= s.end_lineno - 1]
        points.append(max(block.end, holder[0].end_lineno - 1) if holder else block.end)
    return points


def _check_cell(names: list[str]) -> str:
    lines = [f"# Check your code. Stuck? exercises.{n}.hint(), then .solution()" for n in names]
    lines += [EXERCISES[n].check_code for n in names]
    lines += [EXERCISES[n].carry_on_code for n in names]
    return "\n".join(lines) + "\n"


def workbook_blocks(
    code: str, where: str = "<code>", first_line: int = 1
) -> list[tuple[str, str, list[str]]]:
    """One code cell as workbook cells: ``(kind, code, exercise names)`` with kind
    ``"code"`` (starter code) or ``"check"``."""
    blocks = marked_blocks(code, where, first_line)
    if not blocks:
        return [("code", code, [])]
    for block in blocks:
        _check_solution(code, block, where, first_line)
    lines, cells, current, names = code.splitlines(), [], [], []
    starts = {b.start: b for b in blocks}
    splits = _split_points(code, blocks)
    index = 0
    while index < len(lines):
        block = starts.get(index)
        if block is not None:
            starter = EXERCISES[block.name].starter
            current += [block.indent + s if s else s for s in starter.splitlines()]
            names.append(block.name)
            index = block.end
        else:
            current.append(lines[index])
        if index in splits and names:
            cells += [("code", "\n".join(current).strip("\n") + "\n", names)]
            cells += [("check", _check_cell(names), names)]
            current, names = [], []
        index += 1
    if "\n".join(current).strip():
        cells.append(("code", "\n".join(current).strip("\n") + "\n", []))
    return cells


def has_markers(path: Path) -> bool:
    return any(MARKER.match(line) for line in path.read_text(encoding="utf-8").splitlines())


def make_workbook(path: Path, gallery_conf: dict | None = None) -> dict:
    """The workbook of the walkthrough at ``path``, as notebook JSON (nbformat 4)."""
    conf = {**copy.deepcopy(DEFAULT_GALLERY_CONF), **(gallery_conf or {})}
    conf.setdefault("src_dir", str(path.parent))
    _, blocks = parser.split_code_and_text_blocks(str(path))
    cells, exercises_cell = [], None
    for label, content, lineno in blocks:
        if label != "code":
            cells.append(parser.Block(label, content, lineno))
            continue
        content = parser.remove_ignore_blocks(content)
        if conf.get("remove_config_comments"):
            content = parser.remove_config_comments(content)
        for kind, code, names in workbook_blocks(content, path.name, lineno):
            cells.append(parser.Block("code", code, lineno))
            if kind == "check":
                exercises_cell = exercises_cell or names
    if exercises_cell is None:
        raise WorkbookError(f"{path}: has no '# workbook: NAME' markers")
    notebook = jupyter_notebook(cells, conf, path.parent)
    first = 1 if conf.get("first_notebook_cell") else 0
    intro = [_cell("markdown", INTRO), _cell("code", IMPORTS)]
    notebook["cells"][first + 1 : first + 1] = intro  # after the setup cell and the title
    return notebook


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
    """Write the workbook of every walkthrough with markers; returns their paths."""
    written = []
    for path in sorted(examples_dir.glob("*/plot_*.py")):
        if not has_markers(path):
            continue
        target = gallery_dir / path.parent.name / f"{path.stem}{SUFFIX}"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(make_workbook(path, gallery_conf), indent=2) + "\n"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")  # unchanged: keep the timestamp
        written.append(target)
    return written


# --- Sphinx ----------------------------------------------------------------------------------

PAGE = re.compile(r"auto_examples/(?P<section>[^/]+)/(?P<name>plot_[^/]+)")
MARKER_LINE = re.compile(r"^[ \t]*# workbook: [\w-]+[ \t]*\n", re.M)
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
    text = MARKER_LINE.sub("", source[0])
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
            items += nodes.list_item("", paragraph)
        return [items]


def setup(app):
    app.connect("builder-inited", _write, priority=400)  # before sphinx-gallery's (500)
    app.connect("builder-inited", _add_to_zip, priority=600)  # after sphinx-gallery's
    app.connect("source-read", _page)
    app.add_directive("exercise-table", ExerciseTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
