"""The built site's workbooks: linked from their pages, in the gallery's zip, and run end
to end in a fresh environment, three times; the pages' plain downloads carry no sign of
them.

Each walkthrough in ``workbooks.WORKBOOKS`` publishes ``<walkthrough>_workbook.ipynb``
(see docs/_ext/workbooks.py). The ``notebook`` test downloads every one from the served
site the way a reader would and runs it with nbclient in a new virtual environment that
has only Jupyter, so its first cell must install mnisttutor from the site's wheel:

- as shipped, every check says *not attempted* and no cell fails;
- with the marked solutions filled in, every check says *correct*;
- with a wrong answer that raises in every blank (``workbooks.fill_in_mistakes``), it
  runs to the end: only the learner's cells fail, and every check says *incorrect*
  and names the error.

Run after ``nox -s docs`` with ``nox -s notebook``. The checks bound their own work (a
few hundred images each); most of the run time is installing PyTorch and the page's own
epoch of training.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest
import sitecheck
from fresh_jupyter import RUN_NOTEBOOKS, fresh_jupyter

ROOT = sitecheck.ROOT
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import workbooks  # noqa: E402 -- docs/_ext is not a package

CHECK_LINE = re.compile(r"^(Not attempted|Correct|Incorrect)\b")


def _walkthroughs_with_workbooks() -> list[Path]:
    return [p for p in sorted((ROOT / "examples").glob("*/plot_*.py")) if workbooks.has_workbook(p)]


def _page(path: Path) -> str:
    return f"auto_examples/{path.parent.name}/{path.stem}.html"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _download_workbook(site: str, page: str, folder: Path) -> Path:
    html = _get(site + page).decode()
    links = set(re.findall(r'href="(?!https?:)([^"]+_workbook\.ipynb)"', html))  # not Colab's
    assert len(links) == 1, f"{page}: workbook links {links}"
    assert "Try it yourself" in html
    link = links.pop()
    path = folder / Path(link).name
    path.write_bytes(_get(urllib.parse.urljoin(site + page, link)))
    return path


def test_every_workbook_is_linked_and_in_the_zip(site_dir):
    zipped = {
        p
        for z in site_dir.glob("_downloads/*/auto_examples_jupyter.zip")
        for p in zipfile.ZipFile(z).namelist()
    }
    assert zipped, "no gallery zip of notebooks on the site"
    for path in _walkthroughs_with_workbooks():
        html = (site_dir / _page(path)).read_text(encoding="utf-8")
        assert f"{path.stem}_workbook.ipynb" in html, _page(path)
        assert "# workbook:" not in html  # no markers (the pages have none)
        assert f"{path.parent.name}/{path.stem}_workbook.ipynb" in zipped


def test_no_plain_download_carries_workbook_markers(site_dir):
    """The exercises live in the workbooks: a page's .py and .ipynb, on their own and in
    the zips, are its walkthrough as it ran, with no marker comments (issue 26)."""
    downloads = sorted(site_dir.glob("_downloads/*/plot_*.py"))
    downloads += sorted(site_dir.glob("_downloads/*/plot_*.ipynb"))
    assert downloads, "no downloads on the site"
    for path in downloads:
        if not path.name.endswith("_workbook.ipynb"):
            assert "# workbook:" not in path.read_text(encoding="utf-8"), path.name
    for archive in site_dir.glob("_downloads/*/auto_examples_*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if not name.endswith("_workbook.ipynb"):
                    assert b"# workbook:" not in zipped.read(name), (archive.name, name)


def _checks(executed: Path) -> list[str]:
    cells = json.loads(executed.read_text())["cells"]
    printed = "".join(
        "".join(o.get("text", ""))
        for c in cells
        if c["cell_type"] == "code"
        for o in c["outputs"]
        if o.get("name") == "stdout"
    )
    return [line for line in printed.splitlines() if CHECK_LINE.match(line)]


@pytest.mark.notebook
def test_workbooks_run_as_shipped_and_solved(site_dir, site_server, tmp_path):
    pages = _walkthroughs_with_workbooks()
    assert pages, "no walkthrough has workbook markers"
    site = site_server.url
    runs = []
    for path in pages:
        shipped = _download_workbook(site, _page(path), tmp_path)
        solved = shipped.with_name(shipped.stem + "_solved.ipynb")
        notebook = json.loads(shipped.read_text())
        solved.write_text(json.dumps(workbooks.fill_in_solutions(notebook)))
        mistakes = shipped.with_name(shipped.stem + "_mistakes.ipynb")
        mistakes.write_text(json.dumps(workbooks.fill_in_mistakes(notebook)))
        expected = sum(
            "".join(c["source"]).count(".check(")
            for c in notebook["cells"]
            if "exercises." in "".join(c["source"])
        )
        runs += [
            (shipped, "Not attempted", expected),
            (solved, "Correct", expected),
            (mistakes, "Incorrect", expected),
        ]
    python, run = fresh_jupyter(tmp_path, site + "wheels/", timeout=3000)
    arguments = [
        str(a) for notebook, _, _ in runs for a in (notebook, notebook.with_suffix(".out.ipynb"))
    ]
    run([python, "-c", RUN_NOTEBOOKS, *arguments])  # a failing cell fails the run
    for notebook, status, expected in runs:
        checks = _checks(notebook.with_suffix(".out.ipynb"))
        assert len(checks) == expected > 0, (notebook.name, checks)
        assert all(line.startswith(status) for line in checks), (notebook.name, checks)
        failed = _failed_cells(notebook.with_suffix(".out.ipynb"))
        if status == "Incorrect":
            assert all("Error" in line for line in checks), (notebook.name, checks)
            assert all(workbooks.MISTAKE in code for code in failed), (notebook.name, failed)
        else:
            assert not failed, (notebook.name, failed)


def _failed_cells(executed: Path) -> list[str]:
    cells = json.loads(executed.read_text())["cells"]
    return [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and any(o["output_type"] == "error" for o in c["outputs"])
    ]
