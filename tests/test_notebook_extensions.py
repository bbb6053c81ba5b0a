"""The notebook extensions: docs/_ext/notebook_markdown.py (the Sphinx markup in the
downloaded notebooks made Markdown) and docs/_ext/colab.py (the "Open in Colab" buttons).

Roles are resolved by a real Sphinx build of a two-page project, so what is tested is how
Sphinx itself resolves them; the rest on small texts and notebooks.
"""

from __future__ import annotations

import doctest
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import colab  # noqa: E402 -- docs/_ext, not a package
import notebook_markdown as nm  # noqa: E402
from sphinx.errors import ConfigError, ExtensionError  # noqa: E402

BASE = "https://ada.github.io/mnisttutor/"
PT = "https://docs.pytorch.org/docs/stable/generated/"


# --- roles, resolved by Sphinx ---------------------------------------------------------------


def _project(folder: Path, baseurl: str) -> Path:
    folder.mkdir()
    (folder / "conf.py").write_text(
        "extensions = ['sphinx.ext.extlinks']\n"
        f"extlinks = {{'pt': ('{PT}%s.html', '%s')}}\n"
        f"html_baseurl = {baseurl!r}\n"
    )
    (folder / "index.rst").write_text(
        "Home\n====\n\n.. toctree::\n\n   other\n\n"
        ".. py:module:: pkg\n\n.. py:class:: Data\n\n   .. py:method:: to(device)\n\n"
        ".. py:function:: best_time(call)\n"
    )
    (folder / "other.rst").write_text("The other page\n==============\n\nText.\n")
    return folder


@pytest.fixture(scope="module", params=[BASE, ""], ids=["address", "no-address"])
def built(request, tmp_path_factory):
    from sphinx.application import Sphinx

    folder = tmp_path_factory.mktemp("project")
    src = _project(folder / "src", request.param)
    app = Sphinx(src, src, folder / "out", folder / "doctrees", "html", status=None, warning=None)
    app.build()
    return app


def test_roles_become_links_with_the_text_the_page_shows(built):
    roles = nm.PageRoles(built, "other")
    markdown = roles(
        [
            ":class:`pkg.Data`",
            ":func:`~pkg.best_time`",
            ":meth:`Data.to <pkg.Data.to>`",
            ":pt:`nn.Linear(784, 200) <torch.nn.Linear>`",
            ":doc:`index`",
        ]
    )
    here = BASE if built.config.html_baseurl else None
    expected = [
        "`pkg.Data`",
        "`best_time()`",
        "`Data.to`",
        f"[nn.Linear(784, 200)]({PT}torch.nn.Linear.html)",
        "Home",
    ]
    links = ["index.html#pkg.Data", "index.html#pkg.best_time", "index.html#pkg.Data.to"]
    if here:  # absolute links into the site
        expected[:3] = [
            f"[{text}]({here}{link})" for text, link in zip(expected, links, strict=False)
        ]
        expected[4] = f"[Home]({here}index.html)"
    assert markdown == expected


def test_a_role_sphinx_cannot_resolve_keeps_its_text(built):
    assert nm.PageRoles(built, "other")([":func:`pkg.nothing`"]) == ["`pkg.nothing()`"]


def test_an_unknown_role_is_an_error_naming_the_page(built):
    with pytest.raises(ExtensionError, match=r"other: .*Unknown interpreted text role"):
        nm.PageRoles(built, "other")([":nonsense:`x`"])


def test_resolving_leaves_the_environment_as_it_was(built):
    before = built.env.current_document
    nm.PageRoles(built, "other")([":class:`pkg.Data`"])
    assert built.env.current_document is before


# --- one markdown cell -----------------------------------------------------------------------


def _fake_roles(roles):
    return [f"<{role}>" for role in roles]


def test_roles_are_replaced_in_order_but_not_inside_code():
    text = "See :class:`A` and :func:`b`, not ``:class:`C``` nor\n```\n:func:`d`\n```\n"
    assert nm.convert_markdown(text, _fake_roles, None) == (
        "See <:class:`A`> and <:func:`b`>, not ``:class:`C``` nor\n```\n:func:`d`\n```\n"
    )


def test_a_directive_becomes_a_sentence_linking_to_its_section():
    text = (
        "## Play with the machine\nText.\n\n.. raw:: html\n\n   <div>x</div>\n"
        "   <script src='a.js'></script>\n\nAfter.\n"
    )
    page = BASE + "auto_examples/s/plot_01.html"
    converted = nm.convert_markdown(text, _fake_roles, page)
    assert ".. raw" not in converted
    assert "<div>" not in converted
    assert f"[the walkthrough's web page]({page}#play-with-the-machine)" in converted
    assert converted.endswith("After.\n")
    local = nm.convert_markdown(text, _fake_roles, None)
    assert "](" not in local
    assert "on this walkthrough's page" in local


def test_an_unknown_directive_is_replaced_too():
    converted = nm.convert_markdown(".. image:: a.png\n   :alt: A\n", _fake_roles, None)
    assert converted.startswith("*Here the website has a part that a notebook cannot show")


def test_text_for_the_website_alone_is_left_out_and_text_for_notebooks_kept():
    text = (
        "Before.\n\n.. only:: html\n\n   Download it (the links at the bottom of the "
        "page).\n\n.. only:: notebook\n\n   In this notebook, run the cell.\n   Twice.\n\n"
        "After.\n"
    )
    converted = nm.convert_markdown(text, _fake_roles, None)
    assert converted == "Before.\n\nIn this notebook, run the cell.\nTwice.\n\nAfter.\n"


def test_only_for_another_audience_is_an_error():
    with pytest.raises(ExtensionError, match="only:: latex"):
        nm.convert_markdown(".. only:: latex\n\n   For print.\n", _fake_roles, None)


@pytest.mark.parametrize(
    ("page", "notebook"),
    [
        ("The numbers came from this page's Python.", "The numbers came from this notebook's"),
        ("This page uses the package.", "This notebook uses the package."),
        ("Everything measured on this page ran here.", "Everything measured in this notebook"),
        ("described at the top of the page;", "described at the top of this notebook;"),
        ("when the page was built.", "when this notebook was built."),
        ("the update rule of the next page,", "the update rule of the next walkthrough,"),
        ("The next page's method", "The next walkthrough's method"),
        ("the classes of the last two pages", "the classes of the last two walkthroughs"),
        ("on a later page relies", "on a later walkthrough relies"),
        ("the one that page trained", "the one that walkthrough trained"),
        ("shares it with section 9's pages)", "shares it with section 9's walkthroughs)"),
        ("[the first page of this section](u)", "[the first walkthrough of this section](u)"),
        ("measured on this\npage, wrapped", "measured in this\nnotebook, wrapped"),
        ("the next\npage's rule", "the next\nwalkthrough's rule"),
        # Pages named for what they are stay pages.
        ("the drawing page and a web page", "the drawing page and a web page"),
        ("The Train it yourself page trains", "The Train it yourself page trains"),
    ],
)
def test_words_that_name_the_web_page_name_the_notebook(page, notebook):
    assert nm.convert_markdown(page, _fake_roles, None).startswith(notebook)


def test_code_that_says_page_stays_as_it_is():
    text = "In ``this page``:\n\n```python\nprint('this page')\n```\n\nthis page."
    assert nm.convert_markdown(text, _fake_roles, None) == (
        "In ``this page``:\n\n```python\nprint('this page')\n```\n\nthis notebook."
    )


def test_notebook_words_examples():
    assert doctest.testmod(nm).failed == 0


@pytest.mark.parametrize(
    ("line", "head"),
    [("A global switch::", "A global switch:"), ("A switch ::", "A switch"), ("::", None)],
)
def test_a_literal_block_becomes_fenced_code(line, head):
    text = f"{line}\n\n    if x:\n        y()\n\nAfter.\n"
    fenced = "```python\nif x:\n    y()\n```"
    expected = f"{head}\n\n{fenced}\n\nAfter.\n" if head else f"{fenced}\n\nAfter.\n"
    assert nm.literal_blocks(text) == expected


def test_a_line_ending_in_colons_without_a_block_stays():
    assert nm.literal_blocks("Ends like this::\nnot indented\n") == (
        "Ends like this::\nnot indented\n"
    )


# --- whole notebooks -------------------------------------------------------------------------


def _notebook():
    cell = lambda kind, text: {"cell_type": kind, "metadata": {}, "source": [text]}  # noqa: E731
    return {
        "cells": [
            cell("code", "old setup"),
            cell("markdown", "# Title\nGoal: :func:`f`."),
            cell("code", "x = 1"),
            cell("markdown", "## Next\n:doc:`other`"),
        ]
    }


class _Roles:
    page_url = None

    def __call__(self, roles):
        return _fake_roles(roles)


@pytest.mark.parametrize("section", ["04_gpu_acceleration", "07_gpu_and_scaling", "06_other"])
def test_a_notebook_gets_its_notes_after_the_title_and_this_builds_setup_cell(section):
    """The title first, then its notes, then the setup cell with a line to run it first."""
    original = _notebook()
    converted = nm.convert_notebook(original, section, _Roles(), "new setup")
    sources = [c["source"] for c in converted["cells"]]
    gpu = [nm.GPU] if section != "06_other" else []
    assert sources == [
        "# Title\nGoal: <:func:`f`>.",
        *gpu,
        f"{nm.WORKBOOK_SHOWN}\n\n{nm.DIFFERENCES}",  # no outputs given: a workbook
        nm.RUN_FIRST,
        "new setup",
        ["x = 1"],
        "## Next\n<:doc:`other`>",
    ]
    assert original == _notebook(), "the notebook read from the gallery must not change"


# --- Colab -----------------------------------------------------------------------------------


def test_colab_url_examples():
    assert doctest.testmod(colab).failed == 0


@pytest.mark.parametrize(
    ("github", "notebook"),
    [
        ("ada/mnisttutor", "s/n.ipynb"),
        ("ada", "s/n.ipynb"),
        ("ada/mnist tutor/main", "s/n.ipynb"),
        ("ada/mnisttutor/main", "n.ipynb"),
        ("ada/mnisttutor/main", "s/n.py"),
        ("ada/mnisttutor/main", "../s/n.ipynb"),
    ],
)
def test_colab_url_rejects_what_it_cannot_point_to(github, notebook):
    with pytest.raises(ValueError, match="expected"):
        colab.colab_url(github, notebook)


def test_a_malformed_setting_fails_the_build_saying_which_setting():
    with pytest.raises(ConfigError, match="MNISTTUTOR_COLAB_GITHUB"):
        colab.check_config(None, SimpleNamespace(colab_github="ada/mnisttutor"))


FOOTER = """\
.. container:: sphx-glr-footer sphx-glr-footer-example

    .. container:: sphx-glr-download sphx-glr-download-jupyter

      :download:`Download Jupyter notebook: plot_01_x.ipynb <plot_01_x.ipynb>`

    .. container:: sphx-glr-download sphx-glr-download-workbook

      :download:`Download the workbook: plot_01_x_workbook.ipynb <plot_01_x_workbook.ipynb>`

    .. container:: sphx-glr-download sphx-glr-download-python

      :download:`Download Python source code: plot_01_x.py <plot_01_x.py>`
"""


def _buttons(tmp_path, github, files=("plot_01_x.ipynb", "plot_01_x_workbook.ipynb")):
    folder = tmp_path / "auto_examples" / "01_s"
    folder.mkdir(parents=True)
    for name in files:
        (folder / name).write_text("{}")
    app = SimpleNamespace(srcdir=str(tmp_path), config=SimpleNamespace(colab_github=github))
    source = [FOOTER]
    colab.add_buttons(app, "auto_examples/01_s/plot_01_x", source)
    return source[0]


def test_buttons_follow_the_notebook_and_the_workbook_downloads(tmp_path):
    text = _buttons(tmp_path, "ada/mnisttutor/notebooks")
    blob = "https://colab.research.google.com/github/ada/mnisttutor/blob/notebooks/01_s/"
    notebook = text.index("sphx-glr-download-jupyter")
    workbook = text.index("sphx-glr-download-workbook")
    first = text.index(f"`Open in Colab: plot_01_x.ipynb <{blob}plot_01_x.ipynb>`__")
    second = text.index(
        f"`Open in Colab: plot_01_x_workbook.ipynb <{blob}plot_01_x_workbook.ipynb>`__"
    )
    assert notebook < first < workbook < second < text.index("sphx-glr-download-python")
    assert text.count("sphx-glr-download-colab") == 2


def test_no_buttons_without_a_branch(tmp_path):
    assert _buttons(tmp_path, "") == FOOTER


def test_a_button_for_a_missing_notebook_is_an_error(tmp_path):
    with pytest.raises(ExtensionError, match=r"plot_01_x_workbook\.ipynb"):
        _buttons(tmp_path, "ada/mnisttutor/notebooks", files=("plot_01_x.ipynb",))


PAGE_RST = """\
.. GENERATED FROM PYTHON SOURCE LINES 11-18

Some text.

.. GENERATED FROM PYTHON SOURCE LINES 18-29

.. code-block:: Python

    print("y = 1.8750")

.. rst-class:: sphx-glr-script-out

 .. code-block:: none

    y = 1.8750
      indented


.. GENERATED FROM PYTHON SOURCE LINES 30-34

.. code-block:: Python

    plt.show()

.. image-sg:: /a.png

.. GENERATED FROM PYTHON SOURCE LINES 35-36

More text.
"""


def test_page_outputs_are_what_each_code_block_printed():
    assert nm.page_outputs(PAGE_RST) == ["y = 1.8750\n  indented\n", None]


def test_a_walkthroughs_code_cells_show_what_the_page_printed():
    run = "Executed on 2026-12-01 at 15:04 UTC, with Python 3.11.7 and torch 2.13.0, on CPU: X."
    converted = nm.convert_notebook(
        _notebook(), "06_other", _Roles(), "setup", ["x is 1\n"], run=run
    )
    (cell,) = [c for c in converted["cells"] if c["source"] == ["x = 1"]]
    assert cell["outputs"] == [{"output_type": "stream", "name": "stdout", "text": "x is 1\n"}]
    note = converted["cells"][1]["source"]
    assert note.startswith(
        "**What you should see.** Under the code cells (all but the setup cell, "
    )
    assert f"when the website was built. {run} Running a cell replaces" in note
    assert note.endswith(f"\n\n{nm.DIFFERENCES}")
    assert "page" not in note  # nothing a notebook's reader cannot see
    (setup,) = [c for c in converted["cells"] if c["source"] == "setup"]
    assert setup.get("outputs", []) == []  # the setup cell prints no page's


def test_without_a_run_record_the_note_names_no_run():
    converted = nm.convert_notebook(_notebook(), "06_other", _Roles(), "setup", ["x is 1\n"])
    note = converted["cells"][1]["source"]
    assert "when the website was built. Running a cell" in note
    assert "{run}" not in note


def test_a_notebook_that_does_not_match_its_page_is_an_error():
    roles = _Roles()
    roles.docname = "auto_examples/s/plot_01"
    with pytest.raises(ExtensionError, match=r"plot_01: the notebook has 1 code cells .* 2"):
        nm.convert_notebook(_notebook(), "06_other", roles, "setup", ["a\n", None])
