"""Notebooks that read like their pages: the Sphinx markup in the downloads made Markdown.

sphinx-gallery turns each walkthrough's text from reST into Markdown for its notebook
(``rst2md``), but it knows headings, maths, notes and links, not Sphinx's roles or other
directives, so a reader in Jupyter saw ``:class:`mnisttutor.MnistDataset``` as typed.
When the build finishes, this extension rewrites every notebook the site publishes (each
walkthrough's, each ``*_workbook.ipynb``, and those inside the zips):

- each role is resolved by Sphinx itself, in its page's context, so a notebook's link
  and the page's cannot drift apart: it becomes a Markdown link with the text the page
  shows. With the site's address known (``html_baseurl``) every link is absolute;
  without it an internal link is left as its text, since a relative link means nothing
  in a downloaded file;
- a directive becomes a sentence with a link to its place on the page, and a ``::``
  literal block a fenced code block; ``.. only:: html`` (text that makes sense on the
  website alone) is left out, and ``.. only:: notebook`` (which the website never shows)
  becomes plain text;
- the words that name the web page name the notebook: "this page" becomes "this
  notebook", and "the next page" (another walkthrough) "the next walkthrough";
- each code cell of a walkthrough's notebook shows what it printed on the page, read from
  the page sphinx-gallery wrote, so the notebook states the same results as the page;
  after the title, a note says when, with what and where they were printed (the page's
  run record, ``run_record.py``) and which differences from them are normal, and the
  notebooks of sections 4 and 7 say how to get a GPU on Colab;
- the setup cell is this build's ``first_notebook_cell``: sphinx-gallery rewrites a
  notebook only when its example runs again, so one written by an earlier build would
  install the wheel from that build's address. sphinx-gallery puts it first, above the
  title; here it follows the title and its notes, after a line that says to run it
  first, so that a notebook opens on what it is, not on fifty lines of installing.

The gallery folder keeps the notebooks as sphinx-gallery wrote them; the converted copies
go into the output: where the pages' download links point, into the zips, and to
``notebooks/<section>/<name>.ipynb``, the stable paths Colab opens (``colab.py``).
"""

from __future__ import annotations

import copy
import json
import re
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import run_record  # docs/_ext, beside this file: the line each page shows under its title
from docutils import nodes
from docutils.core import publish_doctree
from docutils.utils import SystemMessage
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransformer
from sphinx.util.docutils import sphinx_domains

NOTEBOOK = re.compile(r"(?P<gallery>[^/]+)/(?P<section>[^/]+)/(?P<name>plot_\w+?)(_workbook)?")
# ``literal`` and fenced code are left alone; a role outside them is replaced.
ROLE_OR_CODE = re.compile(
    r"(?P<code>```.*?```|``[^\n]+?``)|(?P<role>:[\w-]+(?::[\w-]+)?:`[^`]+`)", re.S
)
DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)\.\. (?P<name>[\w:-]+)::(?P<argument>.*)\n"
    r"(?P<body>(?:[ \t]*\n|(?P=indent)[ \t]+\S.*(?:\n|\Z))*)",
    re.M,
)
HEADING = re.compile(r"^#+ (?P<title>.+)$", re.M)

# What a directive the notebook cannot show was, in the sentence that replaces it.
DIRECTIVE_WHAT = {"raw": "something interactive that only a web page can show"}

SHOWN = """\
**What you should see.** Under the code cells (all but the setup cell, whose output is \
your machine's own) is what they printed when the website was built.{run} Running a cell \
replaces what it printed with what it prints for you."""
WORKBOOK_SHOWN = """\
**What you should see.** A workbook's cells show nothing until you run them. The \
walkthrough's own notebook, without blanks, shows what each cell printed when the website \
was built."""
DIFFERENCES = """\
**If your numbers differ from those shown:** times depend on the hardware and on what else \
it is doing, so yours will differ. Losses, weights and accuracies come from seeded runs: on \
a CPU with the same library versions they should match; another version of PyTorch or \
NumPy, another number of threads, or a GPU can change the last digits, and another random \
seed changes them more."""

# The words that name the web page, as a notebook names itself: "this page" is the
# notebook, and another page of the gallery ("the next page") another walkthrough. A
# page named for what it is ("the drawing page", "a web page") stays a page.
# Text is wrapped, so a space in these may be a line break.
NOTEBOOK_WORDS = (
    (re.compile(r"\bon(\s+)this(\s+)page\b"), r"in\1this\2notebook"),
    (re.compile(r"\b([Tt])his(\s+)page\b"), r"\1his\2notebook"),
    (
        re.compile(r"\bthe(\s+)(top|bottom|end)(\s+)of(\s+)the(\s+)page\b"),
        r"the\1\2\3of\4this\5notebook",
    ),
    (re.compile(r"\bthe(\s+)page(\s+)was(\s+)built\b"), r"this\1notebook\2was\3built"),
    (
        re.compile(
            r"\b((?:[Tt]he|[Aa]|[Ee]very|[Tt]hat|section\s+\d+'s)\s+"
            r"(?:(?:next|previous|last\s+two|last|first|later|earlier)\s+)?)page(s?)\b"
        ),
        r"\1walkthrough\2",
    ),
)

# Sections whose point is a GPU: how to get one on Colab, and what the reader then sees.
GPU_SECTIONS = {"04_gpu_acceleration", "07_gpu_and_scaling"}
RUN_FIRST = """\
**Run the code cell below first.** It installs mnisttutor, the package this notebook \
uses (and PyTorch with it, if it is missing), and picks the device to run on. The first \
time, that can take a few minutes."""
GPU = """\
**On a GPU:** in Colab, choose *Runtime > Change runtime type > T4 GPU* before you run \
anything; the setup cell then prints `CUDA: Tesla T4` instead of `CPU: ...`, and the cells \
below use the GPU, beside the CPU where they compare the two."""


# In the page sphinx-gallery writes: each block of the walkthrough, and a code block's
# printed output under it.
GENERATED = re.compile(r"^\.\. GENERATED FROM PYTHON SOURCE LINES \d+-\d+\n", re.M)
PRINTED = re.compile(
    r"^\.\. rst-class:: sphx-glr-script-out\n\n \.\. code-block:: none\n\n"
    r"(?P<text>(?:    .*\n|[ \t]*\n)+)",
    re.M,
)


def page_outputs(rst: str) -> list[str | None]:
    """What each code block printed, in order (None: nothing), from a gallery page's reST."""
    outputs = []
    for block in GENERATED.split(rst)[1:]:
        if re.search(r"^\.\. code-block:: Python", block, re.M):
            printed = PRINTED.search(block)
            outputs.append(textwrap.dedent(printed["text"]).strip("\n") + "\n" if printed else None)
    return outputs


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _cell(kind: str, source: str) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def literal_blocks(text: str) -> str:
    """reST's ``paragraph::`` and indented block, as the paragraph and fenced code."""
    lines, out, index = text.split("\n"), [], 0
    while index < len(lines):
        line = lines[index].rstrip()
        following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
        if not (
            line.endswith("::")
            and not line.lstrip().startswith("..")
            and following is not None
            and lines[following][:1] in (" ", "\t")
        ):
            out.append(lines[index])
            index += 1
            continue
        end = following
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t")):
            end += 1
        block = textwrap.dedent("\n".join(lines[following:end])).strip("\n")
        # reST: "text::" shows "text:", "text ::" shows "text", a lone "::" nothing.
        head = line[:-3] if line.endswith(" ::") else "" if line.strip() == "::" else line[:-1]
        out += ([head, ""] if head else []) + ["```python", block, "```", ""]
        index = end
    return "\n".join(out)


def notebook_words(text: str) -> str:
    """``text`` with the words that name the web page naming the notebook.

    Examples
    --------
    >>> notebook_words("Every number on this page comes from the run that built this page.")
    'Every number in this notebook comes from the run that built this notebook.'
    >>> notebook_words("The next page's rule, as the drawing page and a web page show.")
    "The next walkthrough's rule, as the drawing page and a web page show."
    """
    for pattern, replacement in NOTEBOOK_WORDS:
        text = pattern.sub(replacement, text)
    return text


def replace_directives(text: str, page_url: str | None) -> str:
    """Each directive as one sentence that sends the reader to its place on the page.

    ``.. only:: html`` is the website's alone, so it is left out; ``.. only:: notebook``
    is the notebook's alone, so its text is kept as plain text.
    """

    def sentence(match: re.Match) -> str:
        if match["name"] == "only":
            audience = match["argument"].strip()
            if audience == "html":
                return ""
            if audience == "notebook":
                return textwrap.dedent(match["body"]).strip("\n") + "\n\n"
            raise ExtensionError(
                f".. only:: {audience}: a notebook keeps `only:: notebook` and leaves out "
                "`only:: html`; it cannot tell whether other text is meant for it"
            )
        what = DIRECTIVE_WHAT.get(match["name"], "a part that a notebook cannot show")
        heading = HEADING.search(text[: match.start()])
        if page_url is None:
            where = "on this walkthrough's page of the mnisttutor website"
        else:
            anchor = f"#{nodes.make_id(heading['title'])}" if heading else ""
            where = f"on [the walkthrough's web page]({page_url}{anchor})"
        return f"{match['indent']}*Here the website has {what}: see it {where}.*\n\n"

    return DIRECTIVE.sub(sentence, text)


def convert_markdown(
    text: str, roles_to_markdown: Callable[[list[str]], list[str]], page_url: str | None
) -> str:
    """One markdown cell with its roles, directives and literal blocks made Markdown.

    ``roles_to_markdown`` turns a list of roles (``:class:`x```) into their Markdown, in
    order; ``page_url`` is the absolute address of the cell's page, or None.
    """
    found = [m["role"] for m in ROLE_OR_CODE.finditer(text) if m["role"]]
    converted = iter(roles_to_markdown(found) if found else [])
    text = ROLE_OR_CODE.sub(lambda m: m["code"] or next(converted), text)
    text = literal_blocks(replace_directives(text, page_url))
    return _outside_code(text, notebook_words)  # code that says "page" stays as it is


def _outside_code(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to everything but its ``literal`` and fenced code."""
    pieces, last = [], 0
    for match in ROLE_OR_CODE.finditer(text):
        if match["code"]:
            pieces += [change(text[last : match.start()]), match[0]]
            last = match.end()
    return "".join(pieces) + change(text[last:])


def node_markdown(node: nodes.Node, link: Callable[[str], str | None]) -> str:
    """A resolved inline node as Markdown; ``link`` makes a URI absolute, or None."""
    if isinstance(node, nodes.Text):
        return node.astext()
    if isinstance(node, nodes.literal):
        return f"`{node.astext()}`"
    inner = "".join(node_markdown(child, link) for child in node.children)
    if isinstance(node, nodes.reference):
        uri = link(node.get("refuri") or f"#{node['refid']}")
        return f"[{inner}]({uri})" if uri else inner
    if isinstance(node, nodes.emphasis):
        return f"*{inner}*"
    if isinstance(node, nodes.strong):
        return f"**{inner}**"
    return inner


class PageRoles:
    """Resolves roles the way Sphinx does on the page ``docname`` (at build-finished)."""

    def __init__(self, app, docname: str):
        self.app, self.docname = app, docname
        base = app.config.html_baseurl
        self.page_url = urljoin(base, app.builder.get_target_uri(docname)) if base else None

    def link(self, uri: str) -> str | None:
        if urlsplit(uri).scheme:
            return uri
        return urljoin(self.page_url, uri) if self.page_url else None

    def __call__(self, roles: list[str]) -> list[str]:
        env = self.app.env
        backup = env.current_document
        env.prepare_settings(self.docname)  # as when the page is read: its name, its domain
        try:
            with sphinx_domains(env):
                document = publish_doctree(
                    "\n\n".join(roles),  # one paragraph per role
                    source_path=str(env.doc2path(self.docname)),
                    settings_overrides={"env": env, "halt_level": 3, "report_level": 4},
                )
            transformer = SphinxTransformer(document)  # resolves the cross-references
            transformer.set_environment(env)
            transformer.add_transforms(self.app.registry.get_post_transforms())
            transformer.apply_transforms()
        except SystemMessage as error:
            raise ExtensionError(f"a role in the notebook of {self.docname}: {error}") from error
        finally:
            env.current_document = backup
        paragraphs = [p for p in document.children if isinstance(p, nodes.paragraph)]
        if len(paragraphs) != len(roles):
            raise ExtensionError(f"{self.docname}: could not read the roles {roles}")
        return ["".join(node_markdown(c, self.link) for c in p.children) for p in paragraphs]


def convert_notebook(
    notebook: dict,
    section: str,
    roles: PageRoles,
    setup_cell: str,
    outputs: list[str | None] | None = None,
    run: str | None = None,
) -> dict:
    """A copy of ``notebook`` as a reader gets it (see the module's docstring).

    ``outputs``: what each code cell after the setup cell printed on the page, or None
    to leave the cells without output (a workbook, whose cells differ from the page's).
    ``run``: the page's line saying when, with what and where it ran, if it has one.
    """
    notebook = copy.deepcopy(notebook)
    cells = notebook["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            cell["source"] = convert_markdown(_source(cell), roles, roles.page_url)
    if cells and cells[0]["cell_type"] == "code" and setup_cell:
        cells[0]["source"] = setup_cell
    if outputs is not None:
        code = [c for c in cells if c["cell_type"] == "code"][1 if setup_cell else 0 :]
        if len(code) != len(outputs):
            raise ExtensionError(
                f"{roles.docname}: the notebook has {len(code)} code cells after its setup "
                f"cell and the page {len(outputs)} code blocks; they should be the same"
            )
        for cell, printed in zip(code, outputs, strict=True):
            if printed:
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": printed}]
    title = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown"), None)
    if title is not None:
        notes = [GPU] if section in GPU_SECTIONS else []
        shown = SHOWN.format(run=f" {run}" if run else "")
        notes.append(f"{WORKBOOK_SHOWN if outputs is None else shown}\n\n{DIFFERENCES}")
        cells[title + 1 : title + 1] = [_cell("markdown", note) for note in notes]
        if setup_cell and title == 1 and cells[0]["cell_type"] == "code":
            setup = cells.pop(0)  # the title is first now, then its notes
            after_notes = 1 + len(notes)
            cells[after_notes:after_notes] = [_cell("markdown", RUN_FIRST), setup]
    return notebook


# --- Sphinx ----------------------------------------------------------------------------------


def _converter(app) -> Callable[[Path], str]:
    """Path of a notebook in the gallery folder -> its converted JSON text (cached)."""
    src, done = Path(app.srcdir), {}
    setup_cell = app.config.sphinx_gallery_conf.get("first_notebook_cell") or ""

    def convert(path: Path) -> str:
        if path not in done:
            match = NOTEBOOK.fullmatch(path.relative_to(src).with_suffix("").as_posix())
            if match is None:
                raise ExtensionError(f"{path}: not a walkthrough's notebook or workbook")
            docname = f"{match['gallery']}/{match['section']}/{match['name']}"
            notebook = json.loads(path.read_text(encoding="utf-8"))
            roles = PageRoles(app, docname)
            outputs = run = None
            if path.stem == match["name"]:  # the walkthrough's own notebook, not its workbook
                outputs = page_outputs((src / f"{docname}.rst").read_text(encoding="utf-8"))
                record = run_record.current_record(src / f"{docname}.py")
                run = run_record.describe(record) if record else None
            section = match["section"]
            converted = convert_notebook(notebook, section, roles, setup_cell, outputs, run)
            done[path] = json.dumps(converted, indent=2, ensure_ascii=False) + "\n"
        return done[path]

    return convert


def _rewrite_zip(archive: Path, source_dir: Path, convert: Callable[[Path], str]) -> None:
    with zipfile.ZipFile(archive) as zipped:
        members = [(info, zipped.read(info)) for info in zipped.infolist()]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for info, data in members:
            if info.filename.endswith(".ipynb"):
                data = convert(source_dir / info.filename).encode()
            zipped.writestr(info, data)


def write_converted_notebooks(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src, out = Path(app.srcdir), Path(app.outdir)
    convert = _converter(app)
    gallery = src / app.config.sphinx_gallery_conf["gallery_dirs"]
    notebooks = sorted(gallery.glob("*/plot_*.ipynb"))
    for source in notebooks:  # the stable paths Colab opens
        target = out / "notebooks" / source.relative_to(gallery)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(convert(source), encoding="utf-8")
    for filename, (_docnames, dest) in app.env.dlfiles.items():
        source, target = src / filename, out / "_downloads" / dest
        if not target.is_file():
            continue
        if source.suffix == ".ipynb":
            target.write_text(convert(source), encoding="utf-8")
        elif source.suffix == ".zip":
            _rewrite_zip(target, source.parent, convert)


def setup(app):
    app.connect("build-finished", write_converted_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
