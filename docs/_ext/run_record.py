"""When and where each walkthrough ran: one line under its title, from the build itself.

Like the PyTorch tutorials' "Last Verified" line, but never stale. :func:`record` is an
image scraper for sphinx-gallery that saves no image: on the first code block of each
example that runs, it writes ``<example>.run.json`` beside sphinx-gallery's own records
of that example (``.md5``, ``.cost.json``) in the gallery folder: the time (UTC), the
versions of Python and torch, the device, and the checksum of the source that ran.

When sphinx-gallery skips an unchanged example, it keeps that example's output and this
record with it, so a rebuild that reuses the output shows the date that output was
made, not the date of the rebuild. The line is written into the page's source only when
the record belongs to the output on the page: its checksum is the one sphinx-gallery
wrote after running this same source successfully. A page whose example changed but did
not run (a build with ``filename_pattern`` leaving it out) has no output and no line.
An example whose output is current but whose record is missing (output from before this
extension) is run again, so every page has its line.
"""

from __future__ import annotations

import json
import platform
import re
from datetime import datetime, timezone
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

SUFFIX = ".run.json"
EXAMPLE_PAGE = re.compile(r"(?P<gallery>.+)/(?P<section>[^/]+)/(?P<name>plot_[^/]+)")
# The title sphinx-gallery writes after the example's label: a line and its underline.
TITLE = re.compile(
    r"^\.\. _sphx_glr_.+:\n(?:[ \t]*\n)+(?P<title>.+\n[=#*~^\"'`+-]{3,}\n)", re.MULTILINE
)


def record_path(target_file: str | Path) -> Path:
    """Where the record of ``target_file`` (sphinx-gallery's copy of the example) goes."""
    target_file = Path(target_file)
    return target_file.with_name(target_file.stem + SUFFIX)


def record(block, block_vars, gallery_conf) -> str:
    """Write the record of this run of the example, on its first code block; no image."""
    if block_vars.get("run_recorded"):  # block_vars lives for one run of one example
        return ""
    block_vars["run_recorded"] = True
    import torch
    from sphinx_gallery.utils import get_md5sum

    from mnisttutor import describe_device

    run = {
        "executed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "device": describe_device(),
        "md5": get_md5sum(block_vars["target_file"], mode="t"),
    }
    path = record_path(block_vars["target_file"])
    path.write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    return ""


def current_record(target_file: Path) -> dict | None:
    """The record of the run whose output the example's page shows, or None.

    That is the record whose checksum sphinx-gallery wrote after a successful run, of
    the source the page was made from.
    """
    from sphinx_gallery.gen_rst import md5sum_is_current

    path, checksum = record_path(target_file), Path(f"{target_file}.md5")
    if not (path.is_file() and checksum.is_file() and md5sum_is_current(target_file, mode="t")):
        return None
    run = json.loads(path.read_text(encoding="utf-8"))
    return run if run.get("md5") == checksum.read_text().strip() else None


def describe(run: dict) -> str:
    """The line a page shows, from its record.

    Examples
    --------
    >>> describe({"executed": "2026-12-01T15:04:05+00:00", "python": "3.11.7",
    ...           "torch": "2.13.0+cpu", "device": "CPU: Xeon", "md5": "0"})
    'Executed on 2026-12-01 at 15:04 UTC, with Python 3.11.7 and torch 2.13.0+cpu, on CPU: Xeon.'
    """
    executed = datetime.fromisoformat(run["executed"]).astimezone(timezone.utc)
    return (
        f"Executed on {executed:%Y-%m-%d} at {executed:%H:%M} UTC, with Python "
        f"{run['python']} and torch {run['torch']}, on {run['device']}."
    )


def _dirs(conf, key) -> list[str]:
    """sphinx-gallery's ``examples_dirs`` or ``gallery_dirs``: a folder or a list of them."""
    return [conf[key]] if isinstance(conf[key], str) else list(conf[key])


def rerun_examples_without_record(app) -> None:
    """Make sphinx-gallery run again the examples whose output has no record of its run."""
    from sphinx_gallery.gen_rst import executable_script, md5sum_is_current

    conf = app.config.sphinx_gallery_conf
    for examples_dir, gallery_dir in zip(
        _dirs(conf, "examples_dirs"), _dirs(conf, "gallery_dirs"), strict=True
    ):
        for checksum in sorted(Path(app.srcdir, gallery_dir).rglob("plot_*.py.md5")):
            target = checksum.with_suffix("")
            source = Path(
                app.srcdir, examples_dir, target.relative_to(Path(app.srcdir, gallery_dir))
            )
            if (
                executable_script(source, conf)  # it would run in this build
                and md5sum_is_current(target, mode="t")
                and current_record(target) is None
            ):
                logger.info("run record: %s has no record of its run; running it again", source)
                checksum.unlink()


def add_line(app, docname, source) -> None:
    """Insert the run's line under the title of an example's page."""
    if not (page := EXAMPLE_PAGE.fullmatch(docname)):
        return
    target = Path(app.srcdir, page["gallery"], page["section"], page["name"] + ".py")
    if page["gallery"] not in _dirs(app.config.sphinx_gallery_conf, "gallery_dirs"):
        return
    # Read this page again when a new run writes a new record.
    app.env.note_dependency(str(record_path(target)))
    if (run := current_record(target)) is None:
        return
    text_line = re.sub(r"([\\*`_|])", r"\\\1", describe(run))  # plain text, not markup
    # "2 torch threads" links to the glossary's thread, which says what one is.
    text_line = re.sub(
        r"\b(\d+) torch thread(s?)\b", r"\1 torch :term:`thread\2 <thread>`", text_line
    )
    line = f"\n.. rst-class:: mnisttutor-run-record\n\n{text_line}\n\n"
    text = source[0]
    if match := TITLE.search(text):
        source[0] = text[: match.end()] + line + text[match.end() :]
    else:
        logger.warning("run record: no title found in %s", docname, location=docname)


def setup(app):
    # Before sphinx-gallery generates the gallery (its handler has the default priority).
    app.connect("builder-inited", rerun_examples_without_record, priority=400)
    app.connect("source-read", add_line)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
