"""A figure's text as drawn, measured for the site's figures (docs/_ext/figure_text.py)."""

from __future__ import annotations

import doctest
import importlib.util
import io
import json
import logging
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("figure_text", ROOT / "docs/_ext/figure_text.py")
figure_text = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = figure_text  # its dataclass looks its module up there
_spec.loader.exec_module(figure_text)


@pytest.fixture
def fig():
    figure, _ = plt.subplots(figsize=(4, 3))
    yield figure
    plt.close(figure)


def _texts(figure) -> dict[str, float]:
    return {text.text: text.points for text in figure_text.drawn_texts(figure)}


def test_the_examples_in_the_docstrings_hold():
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    assert doctest.testmod(figure_text, optionflags=flags).failed == 0


def test_drawn_texts_are_those_a_reader_sees_each_with_its_size(fig):
    ax = fig.axes[0]
    ax.set(xticks=[0, 0.5, 1, 2], title="a title")
    ax.set_xlim(0, 1)  # the tick at 2 is out of view
    ax.legend(handles=ax.plot([0, 1], label="a line"), fontsize=7)
    ax.text(0.5, 0.5, "hidden", visible=False)
    ax.text(0.5, 0.5, "   ")
    texts = _texts(fig)
    assert texts["a title"] == 12  # "large"
    assert texts["a line"] == 7
    assert {"0.0", "0.5", "1.0"} <= set(texts)
    assert "2.0" not in texts
    assert "hidden" not in texts
    assert "   " not in texts


def test_an_axes_turned_off_shows_no_tick_labels(fig):
    ax = fig.axes[0]
    ax.axis("off")
    ax.text(0.5, 0.5, "a label", fontsize=11)
    assert _texts(fig) == {"a label": 11}


def test_a_multi_line_text_counts_once_with_its_whole_box(fig):
    ax = fig.axes[0]
    ax.axis("off")
    ax.text(0.5, 0.5, "two\nlines")
    one_line = ax.text(0.5, 0.1, "one")
    (two, one) = figure_text.drawn_texts(fig)
    assert two.text == "two\nlines"
    height = lambda t: t.box[3] - t.box[1]  # noqa: E731
    assert height(two) > 1.8 * height(one)
    assert one.text == one_line.get_text()


def test_text_faults_name_overlaps_and_text_off_the_canvas(fig):
    ax = fig.axes[0]
    ax.axis("off")
    ax.text(0.1, 0.5, "clear of the others", transform=ax.transAxes)
    ax.text(0.1, 0.2, "first", transform=ax.transAxes)
    ax.text(0.15, 0.2, "second", transform=ax.transAxes)
    fig.text(-0.05, 0.9, "off the left")
    fig.text(0.5, 0.99, "off the top", va="bottom")
    faults = figure_text.text_faults(figure_text.drawn_texts(fig), fig)
    assert faults == [
        "'first' overlaps 'second'",
        "'off the left' reaches past the canvas's left edge",
        "'off the top' reaches past the canvas's top edge",
    ]


def test_a_laid_out_chart_has_no_text_faults(fig):
    ax = fig.axes[0]
    ax.plot([1, 2, 3], label="data")
    ax.set(xlabel="x label", ylabel="y label", title="title")
    ax.legend()
    fig.tight_layout()
    assert figure_text.text_faults(figure_text.drawn_texts(fig), fig) == []


def test_text_shown_on_a_phone_shrinks_with_its_figure():
    on_phone = figure_text.text_px(10, 8, figure_text.PHONE_COLUMN_PX, dpi=100)
    assert on_phone == pytest.approx(10 / 72 * 100 * 353 / 800)
    # A figure narrower than the column shows at its own size: its text is not enlarged.
    assert figure_text.text_px(10, 3, figure_text.PHONE_COLUMN_PX, dpi=100) == pytest.approx(
        10 / 72 * 100
    )


# ---------------------------------------------------------------------------------------
# The phone rendering
# ---------------------------------------------------------------------------------------


def _pixels(figure) -> np.ndarray:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    return plt.imread(buffer)


def _long_labels_chart(layout=None):
    figure, ax = plt.subplots(figsize=(8, 3.5), layout=layout)
    ax.barh(["the first of the bars, with a long name", "the second", "third"], [3, 2, 1])
    ax.set(xlabel="a quantity", title="A chart drawn for a wide column, titled at length")
    ax.plot([0, 1], [0, 1], label="a legend entry of a few words")
    ax.legend(loc="lower right")
    return figure


def test_a_phone_rendering_only_where_the_text_would_read_too_small():
    wide, _ = plt.subplots(figsize=(8, 4))
    assert figure_text.phone_size(wide, smallest_points=16) is None  # 11 px on a phone
    width, height = figure_text.phone_size(wide, smallest_points=10)
    assert height == 4  # a chart keeps its height
    assert figure_text.text_px(10, width, figure_text.PHONE_COLUMN_PX, 100) == pytest.approx(
        figure_text.PHONE_TEXT_PX
    )
    images, axes = plt.subplots(1, 3, figsize=(9, 3))
    for ax in axes:
        ax.imshow(np.eye(3))  # a fixed aspect: the figure shrinks whole
    width, height = figure_text.phone_size(images, smallest_points=10)
    assert height / width == pytest.approx(3 / 9)
    plt.close("all")


@pytest.mark.parametrize("layout", [None, "tight_layout", "constrained"])
def test_resized_lays_the_figure_out_again_and_gives_it_back_as_it_was(layout):
    figure = _long_labels_chart(layout="constrained" if layout == "constrained" else None)
    if layout == "tight_layout":
        figure.tight_layout()  # once, leaving a placeholder engine
    before = _pixels(figure)
    engine = figure.get_layout_engine()
    with figure_text.resized(figure, (5.16, 3.5)):
        assert tuple(figure.get_size_inches()) == (5.16, 3.5)
        texts = figure_text.drawn_texts(figure)
        assert figure_text.text_faults(texts, figure) == []
        title = next(t.text for t in texts if t.text.startswith("A chart"))
        assert "\n" in title  # too long for the narrower canvas
    assert figure.get_layout_engine() is engine
    assert np.array_equal(_pixels(figure), before)
    plt.close(figure)


def test_wrapped_breaks_long_tick_labels_as_the_formatter_makes_them():
    figure = _long_labels_chart()
    figure.set_size_inches(5.16, 3.5)
    formatter = figure.axes[0].yaxis.get_major_formatter()
    with figure_text.wrapped(figure):
        labels = [t.text for t in figure_text.drawn_texts(figure)]
        assert "the first of the bars, with a\nlong name" in labels
        assert "the second" in labels
        legend = next(label for label in labels if label.startswith("a legend entry"))
        assert legend == "a legend entry of a few words"  # short enough
    assert "format_ticks" not in vars(formatter)
    labels = [t.text for t in figure_text.drawn_texts(figure)]
    assert "the first of the bars, with a long name" in labels
    plt.close(figure)


def test_resized_keeps_a_figure_legend_clear_of_the_axes():
    figure, ax = plt.subplots(figsize=(6.4, 3.5))
    for i, name in enumerate(["forward", "loss", "backward", "zero_grad", "step"]):
        ax.barh(0, 1, left=i, label=name)
    ax.set(xlabel="µs per training step", title="A stacked bar")
    figure.legend(ncols=3, loc="lower center")
    figure.tight_layout(rect=(0, 0.2, 1, 1))  # room for the legend, drawn at this size
    before = _pixels(figure)
    with figure_text.resized(figure, (4, 3.5)):
        assert figure_text.text_faults(figure_text.drawn_texts(figure), figure) == []
    assert np.array_equal(_pixels(figure), before)
    plt.close(figure)


# ---------------------------------------------------------------------------------------
# The scraper that uses it (docs/_ext/figure_themes.py)
# ---------------------------------------------------------------------------------------


def test_the_scraper_records_each_figures_text_and_lays_out_for_a_phone_where_needed(tmp_path):
    sys.path.insert(0, str(ROOT / "docs/_ext"))  # figure_themes imports its neighbours
    try:
        import figure_themes
    finally:
        sys.path.remove(str(ROOT / "docs/_ext"))
    # Ticks in 10 points: 6.1 px on a phone at 8 inches, 12.3 px at 4; and no text at all.
    for size, kind in (((8, 4), "chart"), ((4, 3), "chart"), ((8, 4), "image")):
        ax = plt.figure(figsize=size).add_subplot()
        if kind == "chart":
            ax.plot([1, 2, 3])
        else:
            ax.imshow(np.eye(3))
            ax.set_axis_off()
    images = (str(tmp_path / f"sphx_glr_plot_x_{n:03}.png") for n in range(1, 4))
    block_vars = {"image_path_iterator": images, "example_globals": {}, "src_file": "x.py"}
    conf = {"image_srcset": [2.0], "compress_images": (), "src_dir": str(tmp_path)}
    figure_themes.scrape(None, block_vars, conf)
    records = {path.stem: json.loads(path.read_text()) for path in sorted(tmp_path.glob("*.json"))}
    assert set(records) == {
        f"sphx_glr_plot_x_{n:03}{theme}" for n in range(1, 4) for theme in ("", "_dark")
    }
    assert records["sphx_glr_plot_x_001"]["smallest_text_px"] == pytest.approx(13.89)
    phone = records["sphx_glr_plot_x_001"]["phone"]
    assert phone["media"] == figure_text.PHONE_MEDIA
    assert phone["srcset"] == (
        "/sphx_glr_plot_x_001_phone.png, /sphx_glr_plot_x_001_phone_2_00x.png 2.00x"
    )
    assert records["sphx_glr_plot_x_001_dark"]["phone"]["srcset"].startswith(
        "/sphx_glr_plot_x_001_dark_phone.png"
    )
    assert "phone" not in records["sphx_glr_plot_x_002"]
    assert records["sphx_glr_plot_x_003"] == {"smallest_text_px": None}
    for stem in ("001_phone", "001_phone_2_00x", "001_dark_phone", "001_dark_phone_2_00x"):
        assert (tmp_path / f"sphx_glr_plot_x_{stem}.png").is_file()
    assert not list(tmp_path.glob("sphx_glr_plot_x_002*phone*"))


def test_the_scraper_warns_of_a_figure_whose_alt_text_would_be_its_file_name(tmp_path, caplog):
    """sphinx-gallery writes a figure's titles as its alt text, and without any its file
    name; the build (sphinx-build -W) stops on the warning."""
    sys.path.insert(0, str(ROOT / "docs/_ext"))
    try:
        import figure_themes
    finally:
        sys.path.remove(str(ROOT / "docs/_ext"))
    plt.figure(figsize=(4, 3)).add_subplot().plot([1, 2, 3])
    plt.figure(figsize=(4, 3)).add_subplot(title="The line rises").plot([1, 2, 3])
    images = (str(tmp_path / f"sphx_glr_plot_x_{n:03}.png") for n in range(1, 3))
    block_vars = {"image_path_iterator": images, "example_globals": {}, "src_file": "x.py"}
    conf = {"image_srcset": [2.0], "compress_images": (), "src_dir": str(tmp_path)}
    with caplog.at_level(logging.WARNING):
        rst = figure_themes.scrape(None, block_vars, conf)
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warned == [
        "x.py, figure 001 has no title, so its alt text would be its file name: give it one "
        "with ax.set_title() or fig.suptitle(), saying what it shows"
    ]
    assert ":alt: The line rises" in rst
