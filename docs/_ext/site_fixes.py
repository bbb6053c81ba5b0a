"""Fixes for HTML that Sphinx and sphinx-gallery write, found by the site checks (tests/site).

- Sphinx writes each toctree caption (the sidebar's and the home page's section titles)
  as ``<p class="caption" role="heading">`` with no ``aria-level``, which ARIA requires
  of every heading (axe-core: critical; vnu: error). Captions get level 2 here, under
  the page's one ``<h1>``. Upstream: sphinx-doc/sphinx #14030 (fix proposed in #14437).
- sphinx-gallery's timing pages (``sg_execution_times``) load jQuery, DataTables and
  Bootstrap from three CDNs, to make the table sortable. The site loads nothing from
  another host (it must work offline and tell no one who reads it), so that block is
  dropped: the table stays, already sorted slowest first. Upstream: not yet reported
  (the block came with sphinx-gallery #1198).
- sphinx-gallery repeats an empty ``<div id='sg-tag-list'>`` for every section in the
  gallery's main index, so the id appears more than once (vnu: duplicate ID). Only the
  first is kept. Upstream: not yet reported.
- pandas writes each DataFrame's HTML repr (a cell's output) with the same three table
  rules in a ``<style scoped>``; ``scoped`` is obsolete, and a second copy in one page
  styles the first table, before it (vnu: errors). The blocks are dropped from gallery
  pages; the rules are in ``_static/accessibility.css`` once for the whole site.
  Upstream: not yet reported to pandas.
"""

import re

from sphinx import addnodes
from sphinx.writers.html5 import HTML5Translator

CAPTION_LEVEL = "2"

# The raw-HTML block sphinx-gallery puts above its timing table: <style scoped>, <link>s
# and <script>s, up to the script that starts DataTables.
CDN_BLOCK = re.compile(
    r"^  \.\. raw:: html\n\n    <style scoped>\n.*?\n    </script>\n", re.DOTALL | re.MULTILINE
)
DATAFRAME_STYLE = re.compile(r"^[ \t]*<style scoped>\s*\.dataframe .*?</style>\n", re.DOTALL | re.M)
TAG_LIST = "\n\n.. raw:: html\n\n  <div id='sg-tag-list' class='sphx-glr-tag-list'></div>"


class AccessibleHTMLTranslator(HTML5Translator):
    """Sphinx's HTML writer, with an ``aria-level`` on toctree captions."""

    def visit_title(self, node):
        if isinstance(node.parent, addnodes.compact_paragraph) and node.parent.get("toctree"):
            attributes = {"CLASS": "caption", "ROLE": "heading", "aria-level": CAPTION_LEVEL}
            self.body.append(self.starttag(node, "p", "", **attributes))
            self.body.append('<span class="caption-text">')
            self.context.append("</span></p>\n")
        else:
            super().visit_title(node)


def drop_cdn_and_repeated_ids(app, docname, source):
    text = source[0]
    if docname.endswith("sg_execution_times"):
        text = CDN_BLOCK.sub("", text)
    if docname.startswith("auto_examples/"):
        text = DATAFRAME_STYLE.sub("", text)
    first = text.find(TAG_LIST)
    if first >= 0:
        end = first + len(TAG_LIST)
        text = text[:end] + text[end:].replace(TAG_LIST, "")
    source[0] = text


def setup(app):
    for builder in ("html", "dirhtml", "singlehtml"):
        app.set_translator(builder, AccessibleHTMLTranslator, override=True)
    app.connect("source-read", drop_cdn_and_repeated_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
