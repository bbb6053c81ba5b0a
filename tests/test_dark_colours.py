"""The dark rendering of the site's figures (docs/_ext/dark_colours.py)."""

from __future__ import annotations

import doctest
import importlib.util
import io
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex, to_rgba

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("dark_colours", ROOT / "docs/_ext/dark_colours.py")
dark_colours = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dark_colours)


def _hue(rgba) -> float:
    lab = dark_colours._to_oklab(np.asarray(rgba)[..., :3])
    return float(np.degrees(np.arctan2(lab[..., 2], lab[..., 1])))


def _luminance(image: np.ndarray) -> float:
    linear = np.where(image <= 0.04045, image / 12.92, ((image + 0.055) / 1.055) ** 2.4)
    return float((linear[..., :3] @ [0.2126, 0.7152, 0.0722]).mean())


def _pixels(fig) -> np.ndarray:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor=fig.get_facecolor())
    buffer.seek(0)
    return plt.imread(buffer)


def test_white_and_black_become_the_dark_themes_background_and_text():
    pair = dark_colours.dark_colours(np.array([to_rgba("white"), to_rgba("black")]))
    assert [to_hex(c) for c in pair] == [dark_colours.DARK_BACKGROUND, dark_colours.DARK_FOREGROUND]


@pytest.mark.parametrize("colour", [f"C{i}" for i in range(10) if i != 7])  # C7 is grey
def test_meaningful_colours_keep_their_hue_and_stand_out_from_the_background(colour):
    light = np.array(to_rgba(colour))
    dark = dark_colours.dark_colours(light)
    assert abs(_hue(dark) - _hue(light)) < 3
    background = dark_colours.dark_colours(np.array(to_rgba("white")))
    contrast = (_luminance(dark) + 0.05) / (_luminance(background) + 0.05)
    assert contrast >= 3, contrast  # WCAG's minimum for graphics
    assert dark[3] == light[3]


def test_colormaps_are_mirrored_in_order():
    blues = matplotlib.colormaps["Blues"]
    light = dark_colours._to_oklab(blues(np.linspace(0, 1, 32))[:, :3])[:, 0]
    dark = dark_colours._to_oklab(dark_colours.dark_colormap(blues)(np.linspace(0, 1, 32))[:, :3])
    assert np.all(np.diff(light) < 0)  # white to dark blue
    assert np.all(np.diff(dark[:, 0]) > 0)  # the dark background to light blue


@pytest.mark.parametrize("name", ["Blues", "RdBu"])
def test_a_mirrored_colormap_spans_the_dark_themes_whole_range(name):
    """As the light map runs from white to its darkest colour, so the dark one runs from the
    dark background to as light as the text: its contrasts are not squeezed."""
    dark = dark_colours.dark_colormap(matplotlib.colormaps[name])
    lightness = dark_colours._to_oklab(dark(np.linspace(0, 1, 64))[:, :3])[:, 0]
    background, text = (
        dark_colours._hex_oklab(c)[0]
        for c in (dark_colours.DARK_BACKGROUND, dark_colours.DARK_FOREGROUND)
    )
    assert lightness.min() == pytest.approx(background, abs=0.02)
    assert lightness.max() == pytest.approx(text, abs=0.02)


def test_the_examples_in_the_docstrings_hold():
    assert doctest.testmod(dark_colours).failed == 0


def test_a_darkened_figure_is_dark_and_keeps_its_data_colours():
    fig, (left, right) = plt.subplots(1, 2)
    (line,) = left.plot([0, 1], [1, 0], color="C1")
    left.set_title("a title")
    left.legend(["a line"])
    image = right.imshow(np.linspace(0, 1, 100).reshape(10, 10), cmap="Blues")
    fig.colorbar(image)
    right.annotate("note", (2, 2), (5, 5), arrowprops={"color": "k"}, bbox={"fc": "white"})
    assert _luminance(_pixels(fig)) > 0.7
    dark_colours.darken_figure(fig)
    try:
        assert _luminance(_pixels(fig)) < 0.1
        assert to_hex(line.get_color()) == to_hex("C1")
        assert to_hex(left.title.get_color()) == dark_colours.DARK_FOREGROUND
        assert to_hex(fig.get_facecolor()) == dark_colours.DARK_BACKGROUND
        assert image.get_cmap().name == "Blues_dark"
    finally:
        plt.close(fig)
