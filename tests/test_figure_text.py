"""A figure's text as drawn, measured for the site's figures (docs/_ext/figure_text.py)."""

from __future__ import annotations

import doctest
import importlib.util
import sys
from pathlib import Path

import matplotlib.pyplot as plt
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
