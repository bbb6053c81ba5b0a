"""The "Open in Colab" buttons (docs/_ext/colab.py) and what the Pages workflow publishes.

On a site built with ``MNISTTUTOR_COLAB_GITHUB``, every walkthrough has a button for its
notebook and, where it has one, for its workbook, each with the URL ``colab_url`` makes;
on a site built without it there is no button anywhere. Then the workflow's publishing
step (``.github/workflows/publish-notebooks.sh``, with the arguments ``pages.yml`` gives
it) runs on this site against a local bare repository, offline, and every notebook a
button can point to must be on the pushed branch, at that path, as the site serves it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import sitecheck

sys.path.insert(0, str(sitecheck.ROOT / "docs" / "_ext"))
from colab import colab_url  # docs/_ext, not a package

ROOT = sitecheck.ROOT
EXAMPLES = sorted((ROOT / "examples").glob("*/plot_*.py"))
WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
PUBLISH = ROOT / ".github" / "workflows" / "publish-notebooks.sh"
BUTTON = re.compile(
    r'<div class="sphx-glr-download sphx-glr-download-colab docutils container">\s*'
    r'<p><a class="reference external" href="(?P<url>[^"]+)">'
)
COLAB = re.compile(r"https://colab\.research\.google\.com/github/(?P<github>[^/]+/[^/]+)/blob/")


def _notebooks_of(example: Path, site: Path) -> list[str]:
    """``section/name.ipynb`` of the walkthrough's notebook, and of its workbook if any."""
    folder = site / "notebooks" / example.parent.name
    names = [f"{example.stem}.ipynb", f"{example.stem}_workbook.ipynb"]
    return [f"{example.parent.name}/{n}" for n in names if (folder / n).is_file()]


def _buttons(site: Path) -> dict[str, list[str]]:
    pages = sorted(site.rglob("*.html"))
    return {p.relative_to(site).as_posix(): BUTTON.findall(p.read_text()) for p in pages}


def test_each_walkthrough_has_its_buttons_or_none_has_any(site_dir):
    buttons = {page: urls for page, urls in _buttons(site_dir).items() if urls}
    if not buttons:  # built without MNISTTUTOR_COLAB_GITHUB: nothing to be broken
        assert not any("sphx-glr-download-colab" in p.read_text() for p in site_dir.rglob("*.html"))
        return
    github_branch = None
    for example in EXAMPLES:
        page = f"auto_examples/{example.parent.name}/{example.stem}.html"
        urls = buttons.pop(page, [])
        expected = _notebooks_of(example, site_dir)
        assert expected[0].endswith(f"/{example.stem}.ipynb"), f"{page}: no notebook"
        if github_branch is None:  # the branch the build was given, from its first button
            owner_repo = COLAB.match(urls[0])["github"]
            github_branch = f"{owner_repo}/{urls[0].split('/blob/')[1].split('/')[0]}"
        assert urls == [colab_url(github_branch, n) for n in expected], page
    assert not buttons, f"Colab buttons on pages that are not walkthroughs: {sorted(buttons)}"


def _workflow_branch() -> str:
    """The branch pages.yml publishes to, checking that its steps agree on it."""
    text = WORKFLOW.read_text()
    (branch,) = re.findall(r"^  NOTEBOOKS_BRANCH: ([\w./-]+)$", text, re.M)
    assert "MNISTTUTOR_COLAB_GITHUB: ${{ github.repository }}/${{ env.NOTEBOOKS_BRANCH }}" in text
    step = "sh .github/workflows/publish-notebooks.sh docs/_build/html/notebooks"
    assert f'run: {step} "$NOTEBOOKS_BRANCH"' in text
    build, publish = text.index("nox -s docs"), text.index("publish-notebooks.sh")
    assert build < publish < text.index("upload-pages-artifact")
    return branch


def _git(*args, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture
def published(site_dir, tmp_path) -> tuple[str, Path]:
    """Run the workflow's publishing step on this site, pushing to a local bare repository."""
    branch = _workflow_branch()
    remote, checkout = tmp_path / "remote.git", tmp_path / "checkout"
    _git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    _git("init", "--quiet", str(checkout), cwd=tmp_path)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "--allow-empty",
         "-m", "the repository's main", cwd=checkout)  # fmt: skip
    _git("remote", "add", "origin", str(remote), cwd=checkout)
    notebooks = site_dir / "notebooks"
    subprocess.run(["sh", PUBLISH, notebooks, branch], cwd=checkout, check=True)
    assert not _git("status", "--porcelain", cwd=checkout), "the step changed the checkout"
    return branch, remote


def test_the_workflow_publishes_every_notebook_where_its_button_points(site_dir, published):
    branch, remote = published
    pushed = set(_git("ls-tree", "-r", "--name-only", branch, cwd=remote).split())
    expected = [n for example in EXAMPLES for n in _notebooks_of(example, site_dir)]
    assert len(expected) > len(EXAMPLES)  # walkthroughs and workbooks
    pointed_to = {colab_url(f"ada/mnisttutor/{branch}", n).split(f"/blob/{branch}/")[1]
                  for n in expected}  # fmt: skip
    for page_urls in _buttons(site_dir).values():  # and what this site's buttons name
        pointed_to |= {url.split("/blob/", 1)[1].split("/", 1)[1] for url in page_urls}
    assert pointed_to <= pushed, sorted(pointed_to - pushed)
    for path in sorted(pointed_to):
        on_branch = _git("show", f"{branch}:{path}", cwd=remote)
        assert on_branch == (site_dir / "notebooks" / path).read_text(), path


def test_the_notebooks_colab_opens_are_the_pages_downloads(site_dir):
    for example in EXAMPLES:
        page = site_dir / "auto_examples" / example.parent.name / f"{example.stem}.html"
        links = re.findall(r'href="(\.\./\.\./_downloads/[^"]+\.ipynb)"', page.read_text())
        downloads = {Path(link).name: page.parent / link for link in links}
        notebooks = _notebooks_of(example, site_dir)
        assert notebooks, f"{example.stem}: no notebook in the site's notebooks/"
        for notebook in notebooks:
            name = Path(notebook).name
            published = (site_dir / "notebooks" / notebook).read_text()
            assert published == downloads[name].resolve().read_text(), notebook


def test_the_publishing_step_refuses_a_folder_without_notebooks(tmp_path):
    _git("init", "--quiet", str(tmp_path), cwd=tmp_path)
    done = subprocess.run(
        ["sh", PUBLISH, tmp_path / "missing", "notebooks"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "no notebooks in" in done.stderr
