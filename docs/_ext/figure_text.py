"""A figure's text at the size a reader sees it.

A figure is drawn in inches and shown in the page's text column: 736 CSS px wide on a
wide screen, 353 px on a 400 px phone. Its text, drawn in points, shrinks with it: a
10 pt label on an 8-inch figure shows at 10/72 * 353/8 = 6.1 CSS px on that phone, below
the page's small print. :func:`drawn_texts` finds every text a draw of the figure puts on
the canvas, with its size and where it landed; :func:`text_faults` names the ones that
overlap or fall off the canvas.

No Sphinx here, so the tests import it on their own; ``figure_themes`` is the Sphinx side.
"""

from __future__ import annotations

from dataclasses import dataclass

# furo's text column, in CSS px: at its widest (46em), and on a 400 px screen, where the
# page's side padding and a scroll bar leave 353 of the 400 (measured in Chromium).
COLUMN_PX = 736
PHONE_COLUMN_PX = 353
# The smallest text a figure may show, in CSS px: about the page's small print.
MIN_TEXT_PX = 9
# Overlaps and overhangs smaller than this (in px at 100 dpi) are antialiasing, not faults.
TOLERANCE_PX = 1.5


@dataclass(frozen=True)
class DrawnText:
    """One text as drawn: its string, its size in points and its box in display pixels."""

    text: str
    points: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1, in px at the figure's dpi


def drawn_texts(fig) -> list[DrawnText]:
    """Every text that drawing ``fig`` puts on the canvas, in drawing order.

    The figure is drawn once (its layout engine runs, as when it is saved). Texts that
    are hidden, empty, or not drawn (tick labels outside the view, the axis texts of an
    Axes turned off) are not counted.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(4, 3))
    >>> _ = ax.set_title("big", fontsize=14)
    >>> _ = ax.text(0.5, 0.5, "small", fontsize=7)
    >>> min(drawn_texts(fig), key=lambda t: t.points)
    DrawnText(text='small', points=7.0, box=...)
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    drawn = []
    # Text.draw is where every text goes through, whatever drew it (a legend, an axis, an
    # annotation): matplotlib lists what a draw drew nowhere else. Annotation.draw calls
    # it by name, so the class attribute is the one to wrap, for the one draw below.
    draw = Text.draw

    def record(text, renderer_):
        if renderer_ is renderer and text.get_visible() and text.get_text().strip():
            drawn.append(text)
        return draw(text, renderer_)

    Text.draw = record
    try:
        fig.draw(renderer)
    finally:
        Text.draw = draw
    found = []
    for text in dict.fromkeys(drawn):  # a text drawn twice (blitting) counts once
        box = text.get_window_extent(renderer)
        found.append(
            DrawnText(text.get_text(), float(text.get_fontsize()), tuple(map(float, box.extents)))
        )
    return found


def text_faults(texts: list[DrawnText], fig) -> list[str]:
    """Texts that overlap another text, or reach past the edge of the canvas, in words.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> ax.set_axis_off()
    >>> _ = ax.text(0.1, 0.5, "one label", transform=ax.transAxes)
    >>> _ = ax.text(0.2, 0.5, "another", transform=ax.transAxes)
    >>> _ = fig.text(0.9, 0.1, "off the edge")
    >>> for fault in text_faults(drawn_texts(fig), fig):
    ...     print(fault)
    'one label' overlaps 'another'
    'off the edge' reaches past the canvas's right edge
    >>> plt.close(fig)
    """
    scale = fig.dpi / 100  # the tolerance is in px at 100 dpi
    tolerance = TOLERANCE_PX * scale
    width, height = fig.bbox.width, fig.bbox.height
    faults = []
    for i, one in enumerate(texts):
        for other in texts[i + 1 :]:
            across = min(one.box[2], other.box[2]) - max(one.box[0], other.box[0])
            up = min(one.box[3], other.box[3]) - max(one.box[1], other.box[1])
            if across > tolerance and up > tolerance:
                faults.append(f"{one.text!r} overlaps {other.text!r}")
    for text in texts:
        x0, y0, x1, y1 = text.box
        edges = {"left": -x0, "bottom": -y0, "right": x1 - width, "top": y1 - height}
        faults.extend(
            f"{text.text!r} reaches past the canvas's {edge} edge"
            for edge, past in edges.items()
            if past > tolerance
        )
    return faults


def text_px(points: float, width_in: float, column_px: float, dpi: float) -> float:
    """How tall, in CSS px, text of ``points`` shows on a figure ``width_in`` inches wide.

    The figure's image (``dpi`` pixels to the inch at 1x) fills the column, or shows at
    its own size where it is narrower.

    Examples
    --------
    >>> round(text_px(10, 8, PHONE_COLUMN_PX, dpi=100), 1)  # 10 pt, 8 inches, on a phone
    6.1
    >>> round(text_px(10, 8, COLUMN_PX, dpi=100), 1)
    12.8
    """
    shown_px = min(column_px, width_in * dpi)
    return points / 72 * shown_px / width_in
