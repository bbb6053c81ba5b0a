"""The workbook generator (docs/_ext/workbooks.py) on a synthetic walkthrough and on the
real ones: blanks where the solutions were, a check cell after the statement that holds
them, "your turn" exercises at the end of their sections, blanks of one clear shape, no
markers in the pages, and a clear error for a page and an exercise that disagree.

Run outside IPython, a check has no record of cells (see
``mnisttutor.exercises._session``) and judges the names as they are: these tests cover
that path; tests/test_workbook_sessions.py drives a real kernel."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
sys.path.insert(0, str(ROOT / "docs"))

import gallery_setup  # noqa: E402 -- docs/, not a package
import workbooks  # noqa: E402

from mnisttutor import exercises  # noqa: E402

CONF = {"first_notebook_cell": gallery_setup.first_notebook_cell("file:///wheels/")}
SYNTHETIC = '''"""
A synthetic walkthrough
=======================

Goal: test the generator.
"""

# %%
# The class
# ---------

import pandas
import torch
from torch.utils.data import Dataset


class MnistDataset(Dataset):
    def __init__(self, csv_file):
        self.data_df = pandas.read_csv(csv_file, header=None)

    def __len__(self):
        return len(self.data_df)


print("defined")

# %%
# Adjusting c by hand
# -------------------


def machine(km, c):
    return c * km


guess, true_miles = 50.0, 62.1371
error = true_miles - guess
print(f"error = {error}")

# %%
# The end
# -------

print("the end")
'''
NAMES = ("dataset_len", "km_error", "marathon_errors")


def write(tmp_path, text=SYNTHETIC):
    path = tmp_path / "plot_01_synthetic.py"
    path.write_text(text, encoding="utf-8")
    return path


def code_cells(notebook):
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def make(tmp_path, text=SYNTHETIC, names=NAMES):
    return workbooks.make_workbook(write(tmp_path, text), CONF, names)


def test_blanks_and_check_cells_where_the_solutions_were(tmp_path):
    notebook = make(tmp_path)
    cells = code_cells(notebook)
    assert cells[0] == CONF["first_notebook_cell"]  # the same setup cell as the notebooks
    assert cells[1] == workbooks.IMPORTS
    klass, check, rest, value, value_check, after, turn, turn_check, end = cells[2:]
    assert "        count = ____  # how many images" in klass
    assert "len(self.data_df)" not in klass
    assert check.splitlines() == [
        "# Check your code. Stuck? exercises.dataset_len.hint() gives a hint, .solution() "
        "the answer.",
        "from mnisttutor import exercises",
        "exercises.dataset_len.check()",
        "MnistDataset = exercises.dataset_len.yours_or_ours()",
    ]
    assert rest.strip() == 'print("defined")'  # the cell goes on after the check
    assert value.rstrip().endswith("error = ____  # the true answer minus the machine's guess")
    assert "exercises.km_error.check()" in value_check
    assert after.strip() == 'print(f"error = {error}")'
    assert turn.rstrip() == exercises.marathon_errors.starter
    assert "exercises.marathon_errors.check()" in turn_check
    assert "yours_or_ours" not in turn_check  # nothing after it uses its names
    assert end.strip() == 'print("the end")'


def test_a_your_turn_comes_at_the_end_of_its_section_with_its_text(tmp_path):
    cells = make(tmp_path)["cells"]
    texts = ["".join(c["source"]) for c in cells]
    at = next(i for i, t in enumerate(texts) if t.startswith("**Your turn: a marathon.**"))
    assert cells[at]["cell_type"] == "markdown"
    assert "*Builds on: Adjusting c by hand, above.*" in texts[at]
    assert "c = 0.5, 0.6 and 0.7" in texts[at]  # its idea, not its answer
    assert exercises.marathon_errors._solution.splitlines()[1] not in "".join(texts)
    assert texts[at - 1].strip() == 'print(f"error = {error}")'  # the section's last cell
    assert texts[at + 3].startswith("## The end")  # then the next section


def test_the_solutions_fill_back_in(tmp_path):
    solved = code_cells(workbooks.fill_in_solutions(make(tmp_path)))
    assert "        return len(self.data_df)" in solved[2]
    assert "error = true_miles - guess" in solved[5]
    assert solved[8].startswith(exercises.marathon_errors._solution)
    assert "____" not in "".join(solved[2:])


@pytest.mark.parametrize(
    ("change", "names", "words"),
    [
        (lambda s: s.replace("error = true_miles - guess", "error = guess - true_miles"), NAMES,
         "the solution of mnisttutor.exercises.km_error stands nowhere on the page"),
        (lambda s: s + "\nerror = true_miles - guess\n", NAMES,
         "the solution of mnisttutor.exercises.km_error stands 2 times on the page"),
        (lambda s: s.replace("# Adjusting c by hand", "# By hand"),
         NAMES, "marathon_errors builds on the section 'Adjusting c by hand', which the page"),
        (lambda s: s, ("km_errors",), "no exercise km_errors"),
    ],
)  # fmt: skip
def test_a_page_and_its_exercises_that_disagree_are_named(tmp_path, change, names, words):
    with pytest.raises(workbooks.WorkbookError, match=r"plot_01_synthetic\.py") as error:
        make(tmp_path, change(SYNTHETIC), names)
    assert words in str(error.value)


def test_a_walkthrough_without_exercises_has_no_workbook(tmp_path):
    path = write(tmp_path, '"""\nTitle\n=====\n"""\n\nprint(1)\n')
    assert not workbooks.has_workbook(path)
    with pytest.raises(workbooks.WorkbookError, match=r"not in workbooks\.WORKBOOKS"):
        workbooks.make_workbook(path, CONF)


def test_write_workbooks_writes_each_walkthrough_once(tmp_path, monkeypatch):
    examples = tmp_path / "examples"
    (examples / "01_one").mkdir(parents=True)
    write(examples / "01_one")
    monkeypatch.setattr(workbooks, "WORKBOOKS", {"01_one/plot_01_synthetic.py": NAMES})
    gallery = tmp_path / "auto_examples"
    (written,) = workbooks.write_workbooks(examples, gallery, CONF)
    assert written == gallery / "01_one" / "plot_01_synthetic_workbook.ipynb"
    stamp = written.stat().st_mtime_ns
    workbooks.write_workbooks(examples, gallery, CONF)
    assert written.stat().st_mtime_ns == stamp  # unchanged: not rewritten


def _walkthrough_workbooks():
    return {
        key: workbooks.make_workbook(ROOT / "examples" / key, CONF) for key in workbooks.WORKBOOKS
    }


def test_every_exercise_is_in_one_workbook_and_every_workbook_has_a_your_turn():
    made = _walkthrough_workbooks()
    checked = [
        name
        for notebook in made.values()
        for code in code_cells(notebook)
        for name in re.findall(r"exercises\.(\w+)\.check\(\)", code)
    ]
    assert sorted(checked) == sorted(exercises.EXERCISES)  # each once, none missing
    assert len(made) == 7
    for key, names in workbooks.WORKBOOKS.items():
        assert any(exercises.EXERCISES[n].your_turn for n in names), key


def test_no_page_carries_workbook_markers():
    """The pages' .py and .ipynb downloads are copies of the walkthroughs: no markers."""
    for path in sorted((ROOT / "examples").glob("*/plot_*.py")):
        assert "# workbook:" not in path.read_text(encoding="utf-8"), path


@pytest.mark.parametrize("name", sorted(exercises.EXERCISES))
def test_every_blank_has_one_obvious_shape(name):
    """No ``____()`` and no blank inside an expression: a blank is a name or expression
    right of ``=``, or a whole line, ``____  # what it does``, with one comment."""
    for line in exercises.EXERCISES[name].starter.splitlines():
        if "____" not in line:
            continue
        code = line.split("#", 1)[0].strip()
        assert "____(" not in line, line
        assert "import ____" not in line, line
        assert code == "____" or re.fullmatch(r"[\w.]+(, [\w.]+)* = ____", code), line
        assert "#" in line, f"a blank says what goes there: {line!r}"


def test_one_comment_per_check_cell_and_no_import_of_the_blank():
    for notebook in _walkthrough_workbooks().values():
        cells = code_cells(notebook)
        assert "____" not in cells[1]  # the import line looks like no blank
        for code in cells:
            if ".check()" in code:
                assert sum(line.startswith("#") for line in code.splitlines()) == 1, code
                ast.parse(code)


# --- run outside IPython: the names as they are -------------------------------------------


def _run(cells: list[str]) -> tuple[list[str], dict]:
    """Run code cells in one namespace as a kernel does: a cell that raises is reported
    and the next cell runs. Returns the cells that raised, and the namespace."""
    namespace, failed = {}, []
    for code in cells:
        try:
            exec(code, namespace)
        except Exception:
            failed.append(code)
    return failed, namespace


def _verdicts(out: str) -> list[str]:
    return [
        line
        for line in out.splitlines()
        if line.startswith(("Not attempted", "Correct", "Incorrect"))
    ]


def test_shipped_solved_and_raising_run_to_the_end(tmp_path, capsys):
    notebook = make(tmp_path, names=("km_error", "marathon_errors"))
    # (Raising: with no record of cells, a check knows only that the names are not set.)
    for cells, statuses in (
        (notebook, ("Not attempted",)),
        (workbooks.fill_in_solutions(notebook), ("Correct",)),
        (workbooks.fill_in_mistakes(notebook), ("Not attempted", "Incorrect")),
    ):
        failed, _ = _run(code_cells(cells)[1:])  # not the install cell
        checks = _verdicts(capsys.readouterr().out)
        assert len(checks) == 2, checks
        assert all(line.startswith(statuses) for line in checks), checks
        assert all(workbooks.MISTAKE in code for code in failed)  # only the learner's cells


def test_a_lent_answer_is_never_judged_as_the_learners(tmp_path, capsys):
    """Outside IPython a check reads the names as they are: the answer a check cell lent
    is recognised, and the check says the learner's cell has not set the name."""
    notebook = make(tmp_path, names=("km_error", "marathon_errors"))
    cells = code_cells(notebook)[1:]
    _, namespace = _run(cells)
    check = next(c for c in cells if "km_error.check()" in c)
    exec(check, namespace)
    exec(check, namespace)  # the check run again: error holds mnisttutor's answer now
    lines = _verdicts(capsys.readouterr().out)
    assert lines[-2:] == [lines[-1]] * 2
    assert lines[-1].startswith("Not attempted"), lines
