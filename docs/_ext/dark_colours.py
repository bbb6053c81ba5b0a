"""Colours for furo's dark theme, and matplotlib figures recoloured with them.

The dark rendering mirrors every grey's lightness (OKLab) between furo's dark background
and its dark text colour: white becomes the page's background and black its text. The
colours that carry meaning (matplotlib's C0-C9, tab10) keep their hue, chroma and
lightness, raised only where they would be too dark to see on the dark background, so a
curve, a bar or a device is the same colour in both themes. Colormaps are mirrored whole:
in a sequential map, more is still further from the background, and text chosen to
contrast with a cell (black on light cells, white on dark ones) still does.

No Sphinx here, so the tests import it on their own; ``figure_themes`` is the Sphinx side.
"""

from __future__ import annotations

import numpy as np

DARK = "_dark"  # the suffix of dark colormaps' names (and of the dark images' files)
# furo's dark theme: --color-background-primary and --color-foreground-primary.
DARK_BACKGROUND = "#131416"
DARK_FOREGROUND = "#cfd0d0"
# OKLab lightness that has about 3:1 contrast with that background (WCAG, graphics).
MIN_LIGHTNESS = 0.55

# ---------------------------------------------------------------------------------------
# Colours, in OKLab (Björn Ottosson, https://bottosson.github.io/posts/oklab/)
# ---------------------------------------------------------------------------------------

_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_LAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)


def _to_oklab(rgb: np.ndarray) -> np.ndarray:
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return np.cbrt(linear @ _LMS.T) @ _LAB.T


def _from_oklab(lab: np.ndarray) -> np.ndarray:
    linear = (lab @ np.linalg.inv(_LAB).T) ** 3 @ np.linalg.inv(_LMS).T
    magnitude = np.abs(linear)
    srgb = np.where(
        magnitude <= 0.0031308, 12.92 * magnitude, 1.055 * magnitude ** (1 / 2.4) - 0.055
    )
    return np.sign(linear) * srgb


def _hex_oklab(colour: str) -> np.ndarray:
    return _to_oklab(np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]))


def _in_srgb(lab: np.ndarray) -> np.ndarray:
    rgb = _from_oklab(lab)
    return np.all((rgb >= -1e-4) & (rgb <= 1 + 1e-4), axis=-1)


def dark_colours(rgba, *, mirror: bool = False, span: tuple[float, float] = (0, 1)) -> np.ndarray:
    """The dark-theme twins of RGBA colours, an array ``(..., 4)`` of floats in [0, 1].

    Greys have their lightness mirrored: white goes to the dark theme's background,
    black to its text colour, and the rest in between in proportion. Colours keep their
    hue, chroma and lightness, raised where needed to ``MIN_LIGHTNESS`` so they stand
    out from the dark background (about WCAG's 3:1 for graphics); the nearly grey ones
    go part of each way. With ``mirror``, every colour's lightness is mirrored as a
    grey's is, which keeps a colormap's order (see :func:`dark_colormap`); ``span`` is
    the range of OKLab lightness that is mirrored onto the whole way from the background
    (its top) to the text colour (its bottom). Chroma is reduced just enough where a
    colour would fall outside sRGB. Alpha is kept.

    Examples
    --------
    >>> from matplotlib.colors import to_hex, to_rgba
    >>> [to_hex(dark_colours(to_rgba(c))) for c in ("white", "black")]
    ['#131416', '#cfd0d0']
    >>> orange = np.array(to_rgba("C1"))  # a colour that carries meaning stays the same
    >>> bool(np.abs(dark_colours(orange) - orange).max() < 0.01)
    True
    >>> to_hex(dark_colours(to_rgba("navy")))  # raised off the dark background
    '#3668dd'
    """
    rgba = np.asarray(rgba, dtype=float)
    lab = _to_oklab(np.clip(rgba[..., :3], 0, 1))
    lightness = lab[..., :1]
    background, foreground = _hex_oklab(DARK_BACKGROUND), _hex_oklab(DARK_FOREGROUND)
    # The grey of mirrored lightness, tinted as furo's greys are.
    low, high = span
    share = np.clip((high - lightness) / (high - low), 0, 1)
    mirrored = background + share * (foreground - background)
    chroma = lab * [0, 1, 1]
    if mirror:
        base = mirrored
    else:
        colourful = np.clip((np.hypot(lab[..., 1:2], lab[..., 2:3]) - 0.02) / 0.06, 0, 1)
        kept = np.maximum(lightness, MIN_LIGHTNESS) * [1, 0, 0]
        base = colourful * kept + (1 - colourful) * mirrored
    keep = np.ones(lab.shape[:-1])
    if not _in_srgb(base + chroma).all():
        low, high = np.zeros_like(keep), keep  # the largest share of chroma that fits
        for _ in range(24):
            middle = (low + high) / 2
            fits = _in_srgb(base + middle[..., None] * chroma)
            low, high = np.where(fits, middle, low), np.where(fits, high, middle)
        keep = np.where(_in_srgb(base + chroma), 1.0, low)
    rgb = np.clip(_from_oklab(base + keep[..., None] * chroma), 0, 1)
    return np.concatenate([rgb, rgba[..., 3:]], axis=-1)


def dark_colormap(cmap):
    """``cmap`` with every colour's lightness mirrored by :func:`dark_colours`: ``<name>_dark``.

    Mirroring keeps the map's order: the end that was furthest from a white page is
    furthest from the dark one. The map's own range of lightness is stretched over the
    dark theme's whole range, from its background to its text colour: mirrored as it
    is, a map that ends in navy (lightness 0.33) would end at a dull 0.64, and the
    values between would lose a third of their contrast on the dark page.

    Examples
    --------
    >>> import matplotlib
    >>> blues = dark_colormap(matplotlib.colormaps["Blues"])
    >>> from matplotlib.colors import to_hex
    >>> to_hex(blues(0.0)), to_hex(blues(1.0))  # the background, and as light as the text
    ('#111419', '#b4d2ff')
    """
    from matplotlib.colors import ListedColormap

    colours = cmap(np.linspace(0, 1, cmap.N))
    lightness = _to_oklab(np.clip(colours[:, :3], 0, 1))[:, 0]
    # A map of nearly one lightness (a cyclic or rainbow map) is mirrored as it is.
    span = (lightness.min(), lightness.max()) if np.ptp(lightness) > 0.2 else (0, 1)
    colours = dark_colours(colours, mirror=True, span=span)
    extremes = {
        name: dark_colours(getattr(cmap, f"get_{name}")(), mirror=True, span=span)
        for name in ("bad", "under", "over")
    }
    return ListedColormap(colours, f"{cmap.name}{DARK}").with_extremes(**extremes)


def darken_figure(fig) -> None:
    """Recolour every artist of ``fig`` in place with :func:`dark_colours`."""
    from matplotlib import cbook
    from matplotlib.collections import Collection
    from matplotlib.colors import to_rgba, to_rgba_array
    from matplotlib.image import _ImageBase
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Annotation, Text

    def dark(colour):
        return tuple(dark_colours(to_rgba(colour)))

    def dark_array(colours):
        return dark_colours(to_rgba_array(colours)) if len(colours) else colours

    done = set()  # an artist recoloured twice would be back to its light colours

    def recolour(artist):
        if id(artist) in done:
            return
        done.add(id(artist))
        if isinstance(artist, Text):
            artist.set_color(dark(artist.get_color()))
            if (box := artist.get_bbox_patch()) is not None:
                recolour(box)
            if isinstance(artist, Annotation) and artist.arrow_patch is not None:
                recolour(artist.arrow_patch)
        elif isinstance(artist, Line2D):
            artist.set_color(dark(artist.get_color()))
            for part in ("markerfacecolor", "markeredgecolor", "markerfacecoloralt"):
                colour = getattr(artist, f"get_{part}")()
                if not cbook._str_lower_equal(colour, "none"):
                    getattr(artist, f"set_{part}")(dark(colour))
        elif isinstance(artist, Patch):
            artist.set_facecolor(dark(artist.get_facecolor()))
            artist.set_edgecolor(dark(artist.get_edgecolor()))
        elif isinstance(artist, Collection):
            if artist.get_array() is not None:  # colours come from the colormap
                artist.set_cmap(dark_colormap(artist.get_cmap()))
            else:
                artist.set_facecolor(dark_array(artist.get_facecolor()))
            # An edge that follows the face must keep following it.
            if not cbook._str_equal(getattr(artist, "_original_edgecolor", None), "face"):
                artist.set_edgecolor(dark_array(artist.get_edgecolor()))
        elif isinstance(artist, _ImageBase):
            data = np.asarray(artist.get_array())
            if data.ndim == 2:  # values through a colormap
                artist.set_cmap(dark_colormap(artist.get_cmap()))
            else:  # RGB(A) pixels, as floats in [0, 1] or bytes
                scale = 255 if data.dtype == np.uint8 else 1
                rgba = (
                    data / scale
                    if data.shape[-1] == 4
                    else np.dstack([data / scale, np.ones(data.shape[:2])])
                )
                artist.set_data(dark_colours(rgba))

    for artist in fig.findobj():
        recolour(artist)
