"""The walkthroughs of sections 1 to 7 teach; their chores live in the package (issue 12)."""

import ast
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LESSONS = sorted(
    path for path in EXAMPLES.glob("0[1-7]_*/plot_*.py")
)  # sections 8 and 9 go beyond the original tutorial and may measure more
LONGEST_FUNCTION = 8  # lines, docstring included: a page's function is read, not skimmed


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_lesson_defines_a_long_function(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    too_long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines, line {node.lineno})"
        for node in tree.body
        # Functions only: the tutorial's own classes are the lesson of sections 5 and 6,
        # written out in full for the reader to type (issue 13).
        if isinstance(node, ast.FunctionDef)
        and node.end_lineno - node.lineno + 1 > LONGEST_FUNCTION
    ]
    assert not too_long, f"move these into the package, with tests: {too_long}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_lesson_uses_zip_strict(path):
    # zip(..., strict=True) guards against a bug a beginner is not yet writing, in an
    # idiom they cannot read yet.
    assert "strict=True" not in path.read_text(encoding="utf-8")


def test_the_lessons_are_found():
    assert len({path.parent.name[:2] for path in LESSONS}) == 7
