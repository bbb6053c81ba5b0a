"""A figure's text at the size a reader sees it, and the figure laid out again for a phone.

A figure is drawn in inches and shown in the page's text column: 736 CSS px wide on a
wide screen, 353 px on a 400 px phone. Its text, drawn in points, shrinks with it: a
10 pt label on an 8-inch figure shows at 10/72 * 353/8 = 6.1 CSS px on that phone, below
the page's small print. :func:`drawn_texts` finds every text a draw of the figure puts on
the canvas, with its size and where it landed; :func:`text_faults` names the ones that
overlap or fall off the canvas; :func:`phone_size` is the narrower canvas on which the
smallest of them reads on a phone, and :func:`resized` draws the figure on it, the layout
engine fitting the axes around text that keeps its size.

No Sphinx here, so the tests import it on their own; ``figure_themes`` is the Sphinx side.
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from dataclasses import dataclass, field

# furo's text column, in CSS px: at its widest (46em), and on a 400 px screen, where the
# page's side padding and a scroll bar leave 353 of the 400 (measured in Chromium).
COLUMN_PX = 736
PHONE_COLUMN_PX = 353
# Below furo's own breakpoint the column narrows with the screen; from there on down a
# figure that needs it is shown as laid out for a phone.
PHONE_MEDIA = "(max-width: 48em)"
# The smallest text a figure may show, in CSS px: about the page's small print. A phone
# rendering aims a little above it, so rounding never takes it under.
MIN_TEXT_PX = 9
PHONE_TEXT_PX = 9.5
# In a phone rendering, the most of the canvas's width one line of text may take: a tick
# label, and any other text (a legend entry, a title).
WRAP_TICK_LABEL = 0.4
WRAP_TEXT = 0.8
# Overlaps and overhangs smaller than this (in px at 100 dpi) are antialiasing, not faults.
TOLERANCE_PX = 1.5


@dataclass(frozen=True)
class DrawnText:
    """One text as drawn: its string, its size in points and its box in display pixels."""

    text: str
    points: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1, in px at the figure's dpi
    artist: object = field(default=None, compare=False, repr=False)  # the Text drawn


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
        extents = tuple(map(float, box.extents))
        found.append(DrawnText(text.get_text(), float(text.get_fontsize()), extents, text))
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


def phone_size(fig, smallest_points: float, dpi: float | None = None) -> tuple[float, float] | None:
    """The canvas, in inches, on which ``fig``'s smallest text reads on a phone; or None.

    None where the figure as drawn already shows that text at ``MIN_TEXT_PX`` or more in
    a phone's column. Otherwise the width shows it at ``PHONE_TEXT_PX``. The height is
    kept (a phone scrolls; a chart squeezed flat would lose its data to its labels),
    except where every Axes keeps a fixed aspect (images, diagrams): those shrink whole.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(8, 4))
    >>> [round(size, 2) for size in phone_size(fig, smallest_points=10)]
    [5.16, 4.0]
    >>> phone_size(fig, smallest_points=16) is None  # big enough as drawn
    True
    >>> plt.close(fig)
    """
    dpi = fig.dpi if dpi is None else dpi
    width, height = fig.get_size_inches()
    if text_px(smallest_points, width, PHONE_COLUMN_PX, dpi) >= MIN_TEXT_PX:
        return None
    narrow = smallest_points / 72 * PHONE_COLUMN_PX / PHONE_TEXT_PX
    shown = [ax for ax in fig.axes if ax.get_visible()]
    if shown and all(ax.get_aspect() != "auto" for ax in shown):
        height *= narrow / width
    return float(narrow), float(height)


@contextlib.contextmanager
def resized(fig, size: tuple[float, float]):
    """Draw ``fig`` on a canvas of ``size`` inches inside the block, and as before after it.

    The figure's layout engine fits the axes to the new canvas. A figure laid out once
    (``fig.tight_layout()`` leaves a placeholder engine that does nothing) or not at all
    is fitted by the tight layout engine for the block, beside its figure legends (which
    that engine does not move), and gets its axes' positions back after it. Text too long
    for the narrower canvas is wrapped (:func:`wrapped`).
    """
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    old_size = fig.get_size_inches().copy()
    engine = fig.get_layout_engine()
    lays_out = engine is not None and not isinstance(engine, PlaceHolderLayoutEngine)
    params = {name: getattr(fig.subplotpars, name) for name in vars(fig.subplotpars)}
    positions = [
        (ax, ax.get_position(original=True), ax.get_position(), ax.get_in_layout())
        for ax in fig.axes
    ]
    fig.set_size_inches(size, forward=False)
    if not lays_out:
        fig.set_layout_engine("tight")
    try:
        with wrapped(fig):
            if not lays_out and fig.legends:
                fig.set_layout_engine("tight", rect=_beside_legends(fig))
            yield fig
    finally:
        fig.set_size_inches(old_size, forward=False)
        if not lays_out:
            fig.set_layout_engine(engine)  # None: back to no engine (rcParams' default)
            fig.subplotpars.update(**params)
            for ax, original, active, in_layout in positions:
                ax.set_position(original, which="original")
                ax.set_position(active, which="active")
                ax.set_in_layout(in_layout)


@contextlib.contextmanager
def wrapped(fig):
    """Inside the block, ``fig``'s texts too long for its canvas are broken into lines.

    A tick label may take ``WRAP_TICK_LABEL`` of the canvas's width, so that the plot
    beside a column of long labels keeps room, and is wrapped as its axis's formatter
    makes it; any other text ``WRAP_TEXT`` of the canvas (along the way it runs: a y
    label up its height). A text that still reaches past the canvas once the figure is
    laid out (a title centred over axes pushed aside by their labels) is wrapped to the
    room it has. Text with maths in it is left alone. Each text, and each formatter, is
    as it was after the block.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> title = ax.set_title("a title much too long for a figure only three inches wide")
    >>> with wrapped(fig):
    ...     print(title.get_text())
    a title much too long for a
    figure only three inches wide
    >>> title.get_text()
    'a title much too long for a figure only three inches wide'
    >>> plt.close(fig)
    """
    from matplotlib.text import Text

    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height

    def wrap(text: str, prop, room: float) -> str:
        if "$" in text:
            return text
        lines = []
        for line in text.split("\n"):
            wide = renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
            if wide > room and " " in line.strip():
                line = textwrap.fill(line, max(1, int(len(line) * room / wide)))
            lines.append(line)
        return "\n".join(lines)

    def along(text) -> float:  # the canvas's extent the way ``text`` runs
        return height if abs(math.sin(math.radians(text.get_rotation()))) > 0.7 else width

    texts = {text: text.get_text() for text in fig.findobj(Text) if text.get_text()}
    formatters = {
        axis.get_major_formatter(): axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
    }
    try:
        for text, string in texts.items():
            text.set_text(wrap(string, text.get_fontproperties(), WRAP_TEXT * along(text)))
        for formatter, axis in formatters.items():
            tick = axis.get_major_ticks(1)[0].label1  # the labels' font and rotation
            formatter.format_ticks = _wrapping(
                formatter.format_ticks,
                wrap,
                tick.get_fontproperties(),
                WRAP_TICK_LABEL * along(tick),
            )
        for _ in range(3):  # each pass lays the figure out again with the wrapped texts
            past = [
                (drawn.artist, drawn.box)
                for drawn in drawn_texts(fig)
                if drawn.artist in texts
                and (drawn.box[0] < 0 or drawn.box[2] > width)
                and abs(math.sin(math.radians(drawn.artist.get_rotation()))) <= 0.7
            ]
            if not past:
                break
            for text, (x0, _, x1, _) in past:
                room = (x1 - x0) - max(-x0, x1 - width) - TOLERANCE_PX
                text.set_text(wrap(text.get_text(), text.get_fontproperties(), room))
        yield fig
    finally:
        for text, string in texts.items():
            text.set_text(string)
        for formatter in formatters:
            vars(formatter).pop("format_ticks", None)  # the class's own method again


def _beside_legends(fig) -> tuple[float, float, float, float]:
    """The part of ``fig`` (left, bottom, right, top, as fractions) its axes may fill: all
    of it but the strip that a figure legend below or above them takes."""
    renderer = fig.canvas.get_renderer()
    bottom, top = 0.0, 1.0
    for legend in fig.legends:
        box = legend.get_window_extent(renderer).transformed(fig.transFigure.inverted())
        if box.y0 + box.y1 < 1:  # in the lower half
            bottom = max(bottom, box.y1)
        else:
            top = min(top, box.y0)
    return 0.0, bottom, 1.0, top


def _wrapping(format_ticks, wrap, prop, room):
    """``format_ticks`` with each label it makes wrapped to ``room``."""
    return lambda values: [wrap(label, prop, room) for label in format_ticks(values)]
