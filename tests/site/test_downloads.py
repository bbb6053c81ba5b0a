"""Every walkthrough page offers its script, its notebook and a zip, and the gallery
offers zips of them all; each download is in the built site and is what it claims.

Needs the built site (``nox -s docs``); run with ``nox -s notebook`` (``-m notebook``).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
import sitecheck

pytestmark = pytest.mark.notebook

EXAMPLES = sorted((sitecheck.ROOT / "examples").glob("*/plot_*.py"))


def _downloads(site: Path, page: Path) -> list[Path]:
    """The page's download links, as paths in the built ``site`` (not its Colab buttons)."""
    links = re.findall(r'href="(?!https?:)([^"]+\.(?:py|ipynb|zip))"', page.read_text())
    base = page.relative_to(site).as_posix()
    return sorted({site / unquote(urljoin(base, link)) for link in links})


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_walkthrough_downloads_as_script_notebook_and_zip(site_dir, example):
    page = site_dir / "auto_examples" / example.parent.name / f"{example.stem}.html"
    assert page.is_file(), f"{page} is missing: build the site first with `nox -s docs`."
    files = {path.name: path for path in _downloads(site_dir, page)}
    names = [f"{example.stem}{suffix}" for suffix in (".ipynb", ".py", ".zip")]
    assert set(names) <= set(files), sorted(files)
    assert set(files) <= {*names, f"{example.stem}_workbook.ipynb"}, sorted(files)
    assert files[names[1]].read_text() == example.read_text()
    notebook = json.loads(files[names[0]].read_text())
    assert notebook["nbformat"] == 4
    first_code = next(c for c in notebook["cells"] if c["cell_type"] == "code")
    assert "MNISTTUTOR_WHEELS" in "".join(first_code["source"])  # the setup cell
    with zipfile.ZipFile(files[names[2]]) as archive:
        assert sorted(archive.namelist()) == sorted([f"{example.stem}.py", f"{example.stem}.ipynb"])


def test_gallery_offers_every_walkthrough_in_two_zips(site_dir):
    zips = _downloads(site_dir, site_dir / "auto_examples" / "index.html")
    names = {path.name for path in zips}
    assert names == {"auto_examples_python.zip", "auto_examples_jupyter.zip"}, names
    for archive_path in zips:
        suffix = ".py" if "python" in archive_path.name else ".ipynb"
        with zipfile.ZipFile(archive_path) as archive:
            stems = {Path(name).stem for name in archive.namelist() if name.endswith(suffix)}
        assert stems >= {example.stem for example in EXAMPLES}
