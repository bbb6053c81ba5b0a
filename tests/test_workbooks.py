"""The workbook generator (docs/_ext/workbooks.py) on a synthetic walkthrough and on the
real ones: blanks where the markers were, a check cell after the statement that holds
them, the page's first cell, and a clear error for every malformed marker."""

from __future__ import annotations

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
        # workbook: dataset_len
        return len(self.data_df)
        # workbook: end


print("defined")

# %%
# A value
# -------

guess, true_miles = 50.0, 62.1371
# workbook: km_error
error = true_miles - guess
# workbook: end
print(f"error = {error}")
'''


def write(tmp_path, text=SYNTHETIC):
    path = tmp_path / "plot_01_synthetic.py"
    path.write_text(text, encoding="utf-8")
    return path


def code_cells(notebook):
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def test_blanks_and_check_cells_where_the_markers_were(tmp_path):
    notebook = workbooks.make_workbook(write(tmp_path), CONF)
    cells = code_cells(notebook)
    assert cells[0] == CONF["first_notebook_cell"]  # the same setup cell as the notebooks
    assert cells[1] == workbooks.IMPORTS
    klass, check, rest, value, value_check, after = cells[2:]
    assert "        return ____  # how many images" in klass
    assert "len(self.data_df)" not in klass
    assert "# workbook" not in klass
    assert check.splitlines()[1:] == [
        "exercises.dataset_len.check()",
        "MnistDataset = exercises.dataset_len.yours_or_ours()",
    ]
    assert rest.strip() == 'print("defined")'  # the cell goes on after the check
    assert value.endswith("error = ____  # the true answer minus the machine's guess")
    assert "exercises.km_error.check()" in value_check
    assert after.strip() == 'print(f"error = {error}")'
    markdown = [c for c in notebook["cells"] if c["cell_type"] == "markdown"]
    assert "This is a workbook" in "".join(markdown[1]["source"])


def test_the_solutions_fill_back_in(tmp_path):
    notebook = workbooks.make_workbook(write(tmp_path), CONF)
    solved = code_cells(workbooks.fill_in_solutions(notebook))
    assert "        return len(self.data_df)" in solved[2]
    assert "error = true_miles - guess" in solved[5]
    assert "____" not in "".join(solved[2:])


def test_the_shipped_workbook_runs_and_says_not_attempted_then_correct(tmp_path, capsys):
    notebook = workbooks.make_workbook(write(tmp_path), CONF)
    for cells, status in (
        (notebook, "Not attempted"),
        (workbooks.fill_in_solutions(notebook), "Correct"),
    ):
        namespace = {}
        for code in code_cells(cells)[1:]:  # not the install cell
            exec(code, namespace)
        printed = [
            line for line in capsys.readouterr().out.splitlines() if line.endswith((".", ")"))
        ]
        checks = [
            line for line in printed if line.startswith(("Not attempted", "Correct", "Incorrect"))
        ]
        assert len(checks) == 2
        assert all(line.startswith(status) for line in checks), checks


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda s: s.replace("        # workbook: end\n", "", 1),
            "line 22: '# workbook: dataset_len' is never closed in its cell",
        ),
        (
            lambda s: s.replace("# workbook: km_error", "# workbook: km_errors"),
            "no exercise 'km_errors'",
        ),
        (
            lambda s: s.replace(
                "        return len", "        # workbook: km_error\n        return len"
            ),
            "line 23: '# workbook: km_error' inside the open block dataset_len",
        ),
        (
            lambda s: s.replace("# workbook: end\nprint(f", "print(f"),
            "line 34: '# workbook: km_error' is never closed",
        ),
        (
            lambda s: s.replace("# workbook: km_error\n", ""),
            "line 35: '# workbook: end' opens nothing",
        ),
        (
            lambda s: s.replace("error = true_miles - guess", "error = guess - true_miles"),
            "line 34: the lines marked km_error differ from",
        ),
    ],
)
def test_malformed_markers_name_file_and_line(tmp_path, change, words):
    with pytest.raises(workbooks.WorkbookError, match=r"plot_01_synthetic\.py") as error:
        workbooks.make_workbook(write(tmp_path, change(SYNTHETIC)), CONF)
    assert words in str(error.value)


def test_a_walkthrough_without_markers_has_no_workbook(tmp_path):
    path = write(tmp_path, '"""\nTitle\n=====\n"""\n\nprint(1)\n')
    assert not workbooks.has_markers(path)
    with pytest.raises(workbooks.WorkbookError, match="no '# workbook: NAME' markers"):
        workbooks.make_workbook(path, CONF)


def test_write_workbooks_writes_each_marked_walkthrough_once(tmp_path):
    examples = tmp_path / "examples"
    (examples / "01_one").mkdir(parents=True)
    write(examples / "01_one")
    (examples / "01_one" / "plot_02_plain.py").write_text('"""\nT\n=\n"""\nprint(1)\n')
    gallery = tmp_path / "auto_examples"
    (written,) = workbooks.write_workbooks(examples, gallery, CONF)
    assert written == gallery / "01_one" / "plot_01_synthetic_workbook.ipynb"
    stamp = written.stat().st_mtime_ns
    workbooks.write_workbooks(examples, gallery, CONF)
    assert written.stat().st_mtime_ns == stamp  # unchanged: not rewritten


def test_every_marked_walkthrough_makes_a_workbook_whose_blanks_are_all_exercises():
    made = 0
    for path in sorted((ROOT / "examples").glob("*/plot_*.py")):
        if workbooks.has_markers(path):
            notebook = workbooks.make_workbook(path, CONF)  # raises on any bad marker
            names = {n for n in exercises.EXERCISES if f"exercises.{n}.check(" in str(notebook)}
            assert names, path
            made += 1
    assert made >= 3  # sections 5 and 6 at least


# Sections 1, 3 and 4 as engineer i12 marks them (C2), written the way those pages do it:
# what the check cells expect to find there, shipped and solved.
OTHER_SECTIONS = '''"""
Sections 1, 3 and 4
===================
"""

import torch

guess, true_miles = 50.0, 62.1371
# workbook: km_error
error = true_miles - guess
# workbook: end


def learn(c, km, miles, learning_rate):
    error = miles - c * km
    # workbook: km_update
    return c + learning_rate * error / km, error
    # workbook: end


# workbook: autograd_x
x = torch.tensor(3.5, requires_grad=True)
# workbook: end
# workbook: autograd_y
y = (x - 1) * (x - 2) * (x - 3)
# workbook: end
print(f"y = {y.item():.4f}")
# workbook: autograd_backward
y.backward()
# workbook: end
# workbook: autograd_grad
gradient = x.grad
# workbook: end
print(f"gradient = {gradient.item():.4f}")

device = torch.device("cpu")
b = torch.ones(3).to(device)
# workbook: to_device
a = torch.rand(3, 3, device=device)
model = torch.nn.Linear(3, 2).to(device)
# workbook: end
print(model(a @ b).device)
'''


def test_the_other_sections_exercises_run_shipped_and_solved(tmp_path, capsys):
    notebook = workbooks.make_workbook(write(tmp_path, OTHER_SECTIONS), CONF)
    for cells, status in (
        (notebook, "Not attempted"),
        (workbooks.fill_in_solutions(notebook), "Correct"),
    ):
        namespace = {}
        for code in code_cells(cells)[1:]:
            exec(code, namespace)
        out = capsys.readouterr().out.splitlines()
        checks = [
            line for line in out if line.startswith(("Not attempted", "Correct", "Incorrect"))
        ]
        assert len(checks) == 7, out
        assert all(line.startswith(status) for line in checks), checks
        assert "y = 1.8750" in out  # the original's numbers, shipped or solved
        assert "gradient = 5.7500" in out


def _run_as_a_notebook(cells: list[str]) -> list[str]:
    """Run code cells in one namespace as a kernel does: a cell that raises is reported
    (IPython keeps the exception in sys.last_exc) and the next cell runs. Returns the
    cells that raised."""
    namespace, failed = {}, []
    for code in cells:
        try:
            exec(code, namespace)
        except Exception as exc:
            sys.last_exc = sys.last_value = exc
            failed.append(code)
    return failed


@pytest.mark.parametrize(("text", "count"), [(SYNTHETIC, 2), (OTHER_SECTIONS, 7)])
def test_a_raising_answer_in_every_blank_runs_to_the_end(
    tmp_path, capsys, monkeypatch, text, count
):
    monkeypatch.setattr(sys, "last_exc", None, raising=False)
    monkeypatch.setattr(sys, "last_value", None, raising=False)
    notebook = workbooks.fill_in_mistakes(workbooks.make_workbook(write(tmp_path, text), CONF))
    cells = code_cells(notebook)[1:]
    failed = _run_as_a_notebook(cells)
    assert all(workbooks.MISTAKE in code for code in failed)  # only the learner's cells
    out = capsys.readouterr().out.splitlines()
    checks = [line for line in out if line.startswith(("Not attempted", "Correct", "Incorrect"))]
    assert len(checks) == count, out
    assert all(line.startswith("Incorrect") and "ZeroDivisionError" in line for line in checks)
    if text == OTHER_SECTIONS:
        assert "gradient = 5.7500" in out  # the later cells ran on mnisttutor's answers


def test_the_section_3_hint_typed_as_maths_is_named(tmp_path, capsys, monkeypatch):
    """The issue's beginner: (x - 1)(x - 2)(x - 3) calls a tensor. The check says so, in
    one sentence, and the cells after it still run."""
    monkeypatch.setattr(sys, "last_exc", None, raising=False)
    notebook = workbooks.make_workbook(write(tmp_path, OTHER_SECTIONS), CONF)
    cells = [c.replace("y = ____", "y = (x - 1)(x - 2)(x - 3)") for c in code_cells(notebook)[1:]]
    (failed,) = _run_as_a_notebook(cells)
    assert "(x - 1)(x - 2)" in failed
    out = capsys.readouterr().out.splitlines()
    (line,) = [line for line in out if line.startswith("Incorrect")]
    assert line.startswith("Incorrect: y is not defined: your cell above raised TypeError")
    assert "is a * missing?" in line
    assert "gradient = 5.7500" in out
