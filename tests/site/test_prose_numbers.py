"""A number in a walkthrough's text agrees with the same page's printed output.

Each walkthrough's text is written before its code runs; its output is what the run
printed. Where the text states a quantity with a unit ("158,800 weights", "69 µs",
"90%") and the output prints the same unit, the text's number must be one the output
printed (rounded to the text's precision). This catches the contradictions that can be
checked mechanically; it does not understand sentences, so it can miss some.

Sentences that name the original tutorial quote its figures, not this page's run, and
are left out.

The output itself must be the page's: no line a logger wrote (a library's warning with
its timestamp) appears in it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sitecheck

# The units whose numbers are measured or counted by a page's run.
UNITS = (
    "weights",
    "biases",
    "parameters",
    "µs",
    "ms",
    "s",
    "seconds",
    "%",
    "KiB",
    "miles",
    "times",  # "4.1 times slower": sections 4, 7 and 8 say every speed comparison so
)  # not "images" or "MB": a page names several counts and sizes (a data set, a download)
# A number, not part of a word or of a size such as "5 x 5" or "784 x hidden".
_NUMBER = r"(?<![\w.,])(?<!x )(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_UNIT = r"(x)(?![\w²³]|\s?[-+*/=^])|\s?(" + "|".join(map(re.escape, UNITS)) + r")(?!\w)"
QUANTITY = re.compile(_NUMBER + r"(?:" + _UNIT + ")")
QUOTED = re.compile(r"\boriginal", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+(?=[A-Z(])")


class _PageText(HTMLParser):
    """Splits a sphinx-gallery page into its prose paragraphs and its printed output."""

    OUTPUT = ("sphx-glr-script-out", "output_subarea")
    CODE = ("highlight", "sphx-glr-signature", "sphx-glr-footer", "sphx-glr-download")

    def __init__(self):
        super().__init__()
        self.prose: list[str] = []
        self.output: list[str] = []
        self.code: list[str] = []
        self._article = 0  # how deep inside <article>, the page's own content
        self._stack: list[str] = []  # "output", "code", "prose" or "" per open element
        self._paragraph: list[str] | None = None

    def _kind(self) -> str:
        if "output" in self._stack:  # output's own highlighting is still output
            return "output"
        for kind in reversed(self._stack):
            if kind:
                return kind
        return ""

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr", "source"):
            return
        classes = (dict(attrs).get("class") or "").split()
        self._article += tag == "article"
        kind = ""
        if any(c in classes for c in self.OUTPUT):
            kind = "output"
        elif any(c.startswith(self.CODE) for c in classes) or tag in ("pre", "code", "script"):
            kind = "code"
        elif tag in ("p", "li") and self._article and self._kind() == "" and not _machine(classes):
            kind = "prose"
            self._paragraph = []
        self._stack.append(kind)

    def handle_endtag(self, tag):
        if tag in ("br", "img", "meta", "link", "input", "hr", "wbr", "source") or not self._stack:
            return
        self._article -= tag == "article"
        if self._stack.pop() == "prose" and self._paragraph is not None:
            self.prose.append(" ".join("".join(self._paragraph).split()))
            self._paragraph = None

    def handle_data(self, data):
        kind = self._kind()
        if kind == "output":
            self.output.append(data)
        elif kind == "prose" and self._paragraph is not None:
            self._paragraph.append(data)
        elif kind == "code" and self._paragraph is not None:
            self._paragraph.append(data)  # inline code is part of the sentence
        elif kind == "code":
            self.code.append(data)


def _machine(classes: list[str]) -> bool:
    """Lines the build writes, not the author: the run time, the run record."""
    return bool({"sphx-glr-timing", "mnisttutor-run-record"}.intersection(classes))


def quantities(text: str) -> list[tuple[str, str]]:
    """Every ``(number, unit)`` in ``text``.

    Examples
    --------
    >>> quantities("158,800 weights and 210 biases; 69 µs per item, 90.39%; 3x")
    [('158,800', 'weights'), ('210', 'biases'), ('69', 'µs'), ('90.39', '%'), ('3', 'x')]
    >>> quantities("a 28 x 28 image, 5 x 5 weights, 0.5x faster, 11x - 6, 784 x hidden")
    [('0.5', 'x')]
    """
    return [(number, x or unit) for number, x, unit in QUANTITY.findall(text)]


def agrees(stated: str, printed: list[str]) -> bool:
    """Whether ``stated`` is one of ``printed`` at ``stated``'s precision.

    Examples
    --------
    >>> agrees("69", ["68.7", "1.2"]), agrees("159,010", ["158,800"]), agrees("0.5", ["0.46"])
    (True, False, True)
    """
    value = float(stated.replace(",", ""))
    decimals = len(stated.split(".")[1]) if "." in stated else 0
    return any(round(float(p.replace(",", "")), decimals) == value for p in printed)


def contradictions(html: str) -> list[str]:
    """Each sentence whose number disagrees with every number the output prints in its unit."""
    parser = _PageText()
    parser.feed(html)
    printed: dict[str, list[str]] = {}
    for number, unit in quantities(" ".join(" ".join(parser.output).split())):
        printed.setdefault(unit, []).append(number)
    # A number the page's code writes is an input the page states, not a result it measures.
    written = set(re.findall(r"\d[\d_.]*", "".join(parser.code)))
    found = []
    for paragraph in parser.prose:
        for sentence in _SENTENCE_END.split(paragraph):
            if QUOTED.search(sentence):
                continue
            for number, unit in quantities(sentence):
                if number.replace(",", "") in written or number.replace(",", "_") in written:
                    continue
                if unit in printed and not agrees(number, printed[unit]):
                    found.append(
                        f"{number} {unit} in {sentence!r}; "
                        f"the output prints {unit}: {sorted(set(printed[unit]))}"
                    )
    return found


WALKTHROUGHS = sorted(
    f"auto_examples/{path.parent.name}/{path.stem}.html"
    for path in (sitecheck.ROOT / "examples").glob("*/plot_*.py")
)


@pytest.mark.parametrize("walkthrough", WALKTHROUGHS)
def test_numbers_in_the_text_agree_with_the_pages_output(walkthrough, site_dir):
    html = (site_dir / walkthrough).read_text(encoding="utf-8")
    assert contradictions(html) == []


# The check itself, on a small page in sphinx-gallery's shape.
PAGE = """
<nav><ul><li>The sidebar: 1 weights, not this page's text</li></ul></nav>
<article><section><h1>A page</h1>
<p>Expect {stated} weights and 210 biases. The original's sum is 159,010 weights.</p>
<div class="highlight-Python notranslate"><div class="highlight"><pre>print(weights)</pre>
</div></div>
<div class="sphx-glr-script-out highlight-none notranslate"><div class="highlight">
<pre><span></span>158,800 weights and 210 biases to learn</pre></div></div>
<p class="sphx-glr-timing"><strong>Total running time:</strong> (0 minutes 1.000 seconds)</p>
</section></article>
"""


def test_the_check_finds_a_contradiction_and_passes_agreement():
    assert contradictions(PAGE.format(stated="158,800")) == []
    (found,) = contradictions(PAGE.format(stated="159,010"))
    assert found.startswith("159,010 weights in 'Expect 159,010 weights")
    assert "['158,800']" in found


def test_the_check_reads_numbers_from_a_printed_table():
    table = (
        '<article><p>The table shows 3.0 s.</p><div class="output_subarea output_html '
        'rendered_html"><table><tr><td>2.5 s</td></tr></table></div></article>'
    )
    assert len(contradictions(table)) == 1


# Lines a logger wrote, not the page: glog's ("W1204 10:11:12.345 ..."), Python logging's
# default ("WARNING:root:...") and a timestamped record ("2026-12-04 13:40:29,060 INFO").
LOG_LINE = re.compile(
    r"^\s*(?:#\s*)?(?:[IWEF]\d{4} \d\d:\d\d:\d\d"
    r"|(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):\S*:"
    r"|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d+ +(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\b)",
    re.MULTILINE,
)


def log_lines(html: str) -> list[str]:
    """The lines of a page's printed output that a logger wrote.

    Examples
    --------
    >>> page = ('<article><div class="sphx-glr-script-out"><pre>W1204 10:11:12.345000 1 '
    ...         'x.py:1] No CUDA runtime\\nepoch 1: 0.5 s\\nINFO:mnisttutor:hello</pre></div>'
    ...         '<p>W1204 10:11:12 in the text is not output</p></article>')
    >>> log_lines(page)
    ['W1204 10:11:12.345000 1 x.py:1] No CUDA runtime', 'INFO:mnisttutor:hello']
    """
    parser = _PageText()
    parser.feed(html)
    output = "".join(parser.output)
    return [line.strip() for line in output.splitlines() if LOG_LINE.match(line)]


@pytest.mark.parametrize("walkthrough", WALKTHROUGHS)
def test_no_log_lines_in_the_pages_output(walkthrough, site_dir):
    html = (site_dir / walkthrough).read_text(encoding="utf-8")
    assert log_lines(html) == []
