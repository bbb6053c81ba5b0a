"""The notebooks in the built site read like their pages (docs/_ext/notebook_markdown.py).

Every notebook and workbook the site offers, on its own and inside the zips: no Sphinx
role, directive or literal-block ``::`` in a markdown cell, and no relative link. Built
with the site's address (``MNISTTUTOR_SITE_URL``, as the publishing builds set it), every
link points to a page or an anchor that exists in the built site, or to an API page of
PyTorch's in the ``:pt:`` form; without one, no link points into the site at all.
"""

from __future__ import annotations

import html
import html.parser
import json
import re
import zipfile
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import sitecheck

EXAMPLES = sorted((sitecheck.ROOT / "examples").glob("*/plot_*.py"))
CODE = re.compile(r"```.*?```|``[^\n]+?``", re.S)  # fenced and ``literal`` code, left out
ROLE = re.compile(r":[\w-]+(?::[\w-]+)?:`")
DIRECTIVE = re.compile(r"^[ \t]*\.\. [\w:-]+::", re.M)
LITERAL_BLOCK = re.compile(r"::[ \t]*$", re.M)
LINK = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=[\"']([^\"']+)[\"']")


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def site_notebooks(site: Path) -> dict[str, dict]:
    """Every notebook in ``site``, on its own or in a zip: ``{where: notebook}``."""
    found = {}
    for path in sorted(site.rglob("*.ipynb")):
        found[path.relative_to(site).as_posix()] = json.loads(path.read_text())
    for archive in sorted(site.rglob("*.zip")):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if name.endswith(".ipynb"):
                    where = f"{archive.relative_to(site).as_posix()}:{name}"
                    found[where] = json.loads(zipped.read(name))
    return found


def markdown_cells(notebooks: dict[str, dict]):
    for where, notebook in notebooks.items():
        for index, cell in enumerate(notebook["cells"]):
            if cell["cell_type"] == "markdown":
                yield f"{where}, cell {index}", _source(cell)


def site_address(site: Path) -> str | None:
    """The address the site was built for: Sphinx writes it as each page's canonical link."""
    found = re.search(
        r'<link rel="canonical" href="([^"]+)index\.html"', (site / "index.html").read_text()
    )
    return found[1] if found else None


@pytest.fixture(scope="module")
def notebooks(site_dir) -> dict[str, dict]:
    found = site_notebooks(site_dir)
    # Each walkthrough's notebook is in the site at least three times: its download, its
    # own zip and the gallery's zip; a site with fewer is not the built site.
    stems = {Path(where.rsplit(":", 1)[-1]).stem for where in found}
    assert stems >= {example.stem for example in EXAMPLES}, "notebooks missing from the site"
    assert len(found) >= 3 * len(EXAMPLES)
    return found


def test_no_sphinx_markup_in_any_notebook(notebooks):
    problems = []
    for where, text in markdown_cells(notebooks):
        prose = CODE.sub("", text)
        for name, pattern in [("role", ROLE), ("directive", DIRECTIVE), ("::", LITERAL_BLOCK)]:
            problems += [f"{where}: {name} {m[0]!r}" for m in pattern.finditer(prose)]
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} in all)"


# "page" in a notebook's text names a page of the website by what it is ("the drawing
# page", "a web page", the Train it yourself page, "this walkthrough's page of the
# website"), never the notebook itself ("this page") or another walkthrough ("the next
# page"), which notebook_markdown.py renames.
PAGE_WORD = re.compile(r"(\S+)\s+pages?\b")
NAMED_PAGES = {"drawing", "web", "yourself", "digit", "walkthrough's"}


def test_notebooks_call_themselves_notebooks(notebooks):
    unnamed = [
        f"{where}: ...{match[0]}"
        for where, text in markdown_cells(notebooks)
        for match in PAGE_WORD.finditer(re.sub(r"\]\([^)]*\)", "]", CODE.sub("", text)))
        if match[1].strip("*[]").lower() not in NAMED_PAGES and not match[1].endswith("]")
    ]
    assert not unnamed, "\n".join(unnamed[:40]) + f"\n({len(unnamed)} in all)"


def test_no_relative_link_in_any_notebook(notebooks):
    relative = [
        f"{where}: {link}"
        for where, text in markdown_cells(notebooks)
        for link in _links(text)
        if urlsplit(link).scheme not in ("https", "http")
    ]
    assert not relative, "\n".join(relative[:40]) + f"\n({len(relative)} in all)"


def _links(text: str) -> list[str]:
    return [a or b for a, b in LINK.findall(CODE.sub("", text))]


class _Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        self.ids.update(value for name, value in attrs if name == "id")


@cache
def _ids(page: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(page.read_text())
    return frozenset(parser.ids)


def test_every_notebook_link_points_to_the_site_or_pytorch(site_dir, notebooks):
    address = site_address(site_dir)
    broken, links = [], 0
    for where, text in markdown_cells(notebooks):
        for link in _links(text):
            links += 1
            if address and link.startswith(address):
                path, _, anchor = link.removeprefix(address).partition("#")
                page = site_dir / unquote(path)
                if not page.is_file():
                    broken.append(f"{where}: {link}: no {path} in the site")
                elif anchor and anchor not in _ids(page):
                    broken.append(f"{where}: {link}: no #{anchor} on {path}")
            elif match := sitecheck.PYTORCH_API_PAGE.match(link):
                if sitecheck.torch_object(match["name"]) is None:
                    broken.append(f"{where}: {link}: {match['name']} is not in torch")
            else:
                into = f"into {address}" if address else "(no site address: a local build)"
                broken.append(f"{where}: {link}: neither {into} nor to PyTorch's API")
    assert links > 0
    assert not broken, "\n".join(broken[:40]) + f"\n({len(broken)} in all)"


def test_every_setup_cell_installs_the_sites_own_wheel(site_dir, notebooks):
    address = site_address(site_dir)
    (wheel,) = (site_dir / "wheels").glob("mnisttutor-*.whl")
    for where, notebook in notebooks.items():
        setup = _source(next(c for c in notebook["cells"] if c["cell_type"] == "code"))
        assert f'WHEEL = "{wheel.name}"' in setup, where  # the file the site publishes
        wheels = re.search(r'os\.environ\.get\("MNISTTUTOR_WHEELS", "([^"]+)"\)', setup)
        assert wheels, where
        if address:  # published: the wheel from the site, nothing from the build's disk
            assert wheels[1] == f"{address}wheels/", where
            assert "file:" not in setup, where
        else:  # a local build: its own folder, and the sentence for a notebook taken elsewhere
            assert wheels[1].startswith("file:///"), where
            assert "local build of the website" in setup, where


def test_each_walkthrough_notebook_shows_what_its_page_printed(site_dir):
    shown = 0
    for example in EXAMPLES:
        section, name = example.parent.name, example.stem
        notebook = json.loads((site_dir / "notebooks" / section / f"{name}.ipynb").read_text())
        page = (site_dir / "auto_examples" / section / f"{name}.html").read_text()
        printed = re.findall(r"sphx-glr-script-out.*?<pre>(.*?)</pre>", page, re.S)
        texts = [
            "".join(output["text"])
            for cell in notebook["cells"]
            if cell["cell_type"] == "code"
            for output in cell["outputs"]
        ]
        assert len(texts) == len(printed), name
        for text, html_text in zip(texts, printed, strict=True):
            assert text.strip() == html.unescape(re.sub(r"<[^>]+>", "", html_text)).strip()
        shown += len(texts)
    assert shown > len(EXAMPLES)
