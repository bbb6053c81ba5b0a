"""Every gallery figure in both of furo's themes, and sharp on high-density screens.

sphinx-gallery saves each matplotlib figure as it was drawn, dark on white, which furo's
dark theme shows as a glaring white rectangle (sphinx-gallery #1109). The scraper here,
:func:`scrape`, saves each figure twice: as drawn, and then recoloured for a dark page,
each at 1x and at the ``image_srcset`` factors (2x). It writes both images into the page
with furo's ``only-light`` and ``only-dark`` classes, whose CSS shows the one that matches
the reader's choice of theme, and on "auto" their ``prefers-color-scheme``.

The dark rendering is :func:`dark_colours.darken_figure`'s: greys mirrored, white to the
page's background and black to its text, and the colours that carry meaning kept.

Each figure is also drawn for the page it is shown on. The scraper measures the smallest
text the figure draws (:mod:`figure_text`); where that text would read smaller than the
page's small print in a 400 px phone's column, it saves the figure once more, light and
dark, laid out again on a narrower canvas where it reads, and the page offers that
rendering to narrow screens in a ``<picture>``. Every figure's ``<img>`` (and such a
phone ``<source>``) says in ``data-smallest-text-px`` how tall its smallest text was
drawn, in the image's own pixels at 1x, so a browser test can hold it against the size
the image is shown at. Text that overlaps other text or falls off the canvas, in either
layout, is a build warning.

Thumbnails follow: after the gallery is generated, each example's thumbnail gets a dark
twin made from the dark rendering of the same figure, and a transform gives every
thumbnail in the site (gallery indexes, and the API pages' mini-galleries) its twin,
with the same two classes. Dark files are named like the light ones, with ``_dark``
before the extension.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from textwrap import indent

from dark_colours import DARK, dark_colours, darken_figure
from docutils import nodes
from figure_text import PHONE_MEDIA, drawn_texts, phone_size, resized, text_faults
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

THUMBNAIL = re.compile(r"(?P<stem>.*/thumb/sphx_glr_(?P<name>.+)_thumb)\.png$")
PHONE = "_phone"  # before the extension: the rendering laid out for a phone's column


def _dark_path(path: PurePosixPath) -> PurePosixPath:
    return path.with_name(f"{path.stem}{DARK}{path.suffix}")


def _phone_path(path: PurePosixPath) -> PurePosixPath:
    return path.with_name(f"{path.stem}{PHONE}{path.suffix}")


def record_path(image: Path | PurePosixPath) -> Path:
    """Where the scraper writes what it drew for ``image`` (a figure's 1x PNG): JSON."""
    return Path(image).with_suffix(".json")


def _dpi(fig, kwargs) -> float:
    """The resolution ``fig`` is saved at, 1x: what sphinx-gallery's savefig call gets."""
    import matplotlib

    dpi = matplotlib.rcParams["savefig.dpi"]
    return kwargs.get("dpi", fig.dpi if dpi == "figure" else dpi)


def _save(fig, path: PurePosixPath, srcset, gallery_conf, **kwargs) -> dict:
    """Save ``fig`` at 1x and each srcset factor; returns sphinx-gallery's srcset map."""
    from sphinx_gallery.scrapers import optipng

    fig.savefig(path, **kwargs)
    dpi = _dpi(fig, kwargs)
    paths = {0: path}
    for factor in srcset:  # sphinx-gallery's names: x_001_2_00x.png
        name = f"{path.stem}_{f'{factor:.2f}'.replace('.', '_')}x{path.suffix}"
        paths[factor] = path.with_name(name)
        fig.savefig(paths[factor], **{**kwargs, "dpi": factor * dpi})
    if "images" in gallery_conf["compress_images"]:
        for saved in paths.values():
            optipng(Path(saved), gallery_conf["compress_images_args"])
    return paths


def _save_themes(fig, light_path, light_kwargs, kwargs, gallery_conf, where) -> list[dict]:
    """Save ``fig`` light, then dark; each also laid out for a phone where its text needs it.

    Writes each theme's record beside its image (:func:`record_path`) and warns of text
    that overlaps or is cut off. Returns the light and the dark srcset maps of the figure
    as drawn.
    """
    from sphinx_gallery.scrapers import _get_srcset_st

    srcset, dpi = gallery_conf["image_srcset"], _dpi(fig, kwargs)
    smallest = _smallest_text(fig, where)
    phone = phone_size(fig, smallest, dpi) if smallest is not None else None
    saved, save_kwargs = [], light_kwargs
    for path in (light_path, _dark_path(light_path)):
        if path != light_path:
            darken_figure(fig)
            colours = {"facecolor": fig.get_facecolor(), "edgecolor": fig.get_edgecolor()}
            save_kwargs = {**kwargs, **colours}
        saved.append(_save(fig, path, srcset, gallery_conf, **save_kwargs))
        # In the image's pixels at 1x; None for a figure with no text at all.
        drawn = None if smallest is None else round(smallest * dpi / 72, 2)
        record = {"smallest_text_px": drawn}
        if phone:
            with resized(fig, phone):
                phone_smallest = _smallest_text(fig, f"{where} (laid out for a phone)")
                phone_paths = _save(fig, _phone_path(path), srcset, gallery_conf, **save_kwargs)
            record["phone"] = {
                "media": PHONE_MEDIA,
                "srcset": _get_srcset_st(gallery_conf["src_dir"], phone_paths),
                "smallest_text_px": round(phone_smallest * dpi / 72, 2),
            }
        record_path(path).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return saved


def _smallest_text(fig, where: str) -> float | None:
    """The size in points of the smallest text drawing ``fig`` shows; warns of text faults."""
    texts = drawn_texts(fig)
    for fault in text_faults(texts, fig):
        logger.warning(f"{where}: {fault}", type="figure_themes", subtype="text")
    return min((text.points for text in texts), default=None)


def scrape(block, block_vars, gallery_conf, **kwargs) -> str:
    """sphinx-gallery image scraper: matplotlib's, saving each figure light and dark.

    Takes the place of ``"matplotlib"`` in ``image_scrapers``. A block that made an
    animation is handed to sphinx-gallery's own scraper unchanged (none of this site's
    examples do; the animation is then shown as drawn, in both themes).
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.animation import Animation
    from sphinx_gallery.scrapers import (
        HLIST_HEADER,
        HLIST_IMAGE_MATPLOTLIB,
        _matplotlib_fig_titles,
        figure_rst,
        matplotlib_scraper,
    )

    if any(isinstance(value, Animation) for value in block_vars["example_globals"].values()):
        return matplotlib_scraper(block, block_vars, gallery_conf, **kwargs)

    to_rgba = matplotlib.colors.to_rgba
    images = []
    try:
        # The iterator names one image after another (it is not a sized sequence).
        paths = block_vars["image_path_iterator"]
        for number, image_path in zip(plt.get_fignums(), paths, strict=False):
            fig = plt.figure(number)
            light_path = PurePosixPath(image_path)
            light_kwargs = dict(kwargs)  # the figure's own colours, as sphinx-gallery does
            for attr in ("facecolor", "edgecolor"):
                colour = getattr(fig, f"get_{attr}")()
                if to_rgba(colour) != to_rgba(matplotlib.rcParams[f"figure.{attr}"]):
                    light_kwargs.setdefault(attr, colour)
            titles = _matplotlib_fig_titles(fig)
            where = f"{block_vars.get('src_file', 'an example')}, figure {light_path.stem[-3:]}"
            if not titles.strip():
                # sphinx-gallery makes a figure's alt text from its titles, and without one
                # from its file name ("plot 01 nodes and activation"), which tells a screen
                # reader's user nothing.
                logger.warning(
                    f"{where} has no title, so its alt text would be its file name: give it "
                    "one with ax.set_title() or fig.suptitle(), saying what it shows"
                )
            saved = _save_themes(fig, light_path, light_kwargs, kwargs, gallery_conf, where)
            pair = [
                figure_rst(
                    [paths[0]], gallery_conf["src_dir"], titles, srcsetpaths=[paths]
                ).replace(":class: sphx-glr-single-img", f":class: sphx-glr-single-img {theme}")
                for paths, theme in zip(saved, ("only-light", "only-dark"), strict=True)
            ]
            images.append("".join(pair))
    finally:
        plt.close("all")

    if len(images) <= 1:
        return "".join(images)
    # Several figures: side by side, as sphinx-gallery lays them out.
    multi = block_vars.get("multi_image") or (block_vars.get("file_conf") or {}).get("multi_image")
    if multi != "single":
        images = [image.replace("sphx-glr-single-img", "sphx-glr-multi-img") for image in images]
    return HLIST_HEADER + "".join(
        HLIST_IMAGE_MATPLOTLIB + indent(image, " " * 6) for image in images
    )


# ---------------------------------------------------------------------------------------
# Thumbnails
# ---------------------------------------------------------------------------------------


def make_dark_thumbnails(app) -> None:
    """Give each example's thumbnail a dark twin, from the dark rendering of its figure.

    Runs after sphinx-gallery generated the gallery. The figure is the one sphinx-gallery
    took: ``# sphinx_gallery_thumbnail_number`` (negative counts from the last), or the
    first. A thumbnail from ``sphinx_gallery_thumbnail_path``, or the default one for an
    example without figures, is recoloured pixel by pixel instead.
    """
    from sphinx_gallery.py_source_parser import split_code_and_text_blocks
    from sphinx_gallery.utils import scale_image

    conf = app.config.sphinx_gallery_conf
    gallery_dirs = conf["gallery_dirs"]
    for gallery_dir in [gallery_dirs] if isinstance(gallery_dirs, str) else gallery_dirs:
        for thumb in sorted(
            Path(app.srcdir, gallery_dir).rglob("images/thumb/sphx_glr_*_thumb.png")
        ):
            name = THUMBNAIL.match(thumb.as_posix())["name"]
            example = thumb.parents[2] / f"{name}.py"  # sphinx-gallery's copy of the source
            if not example.is_file():
                continue
            file_conf = split_code_and_text_blocks(str(example))[0]
            number = file_conf.get("thumbnail_number", 1)
            if "thumbnail_path" in file_conf and "thumbnail_number" not in file_conf:
                number = 0  # no figure of the example's: the thumbnail itself is recoloured
            if number < 0:
                number += (
                    len(list(thumb.parents[1].glob(f"sphx_glr_{name}_[0-9][0-9][0-9]{DARK}.png")))
                    + 1
                )
            source = thumb.parents[1] / f"sphx_glr_{name}_{number:03}{DARK}.png"
            target = thumb.with_name(f"{thumb.stem}{DARK}.png")
            if not source.is_file():  # no figure: the default thumbnail, recoloured
                source = thumb
            if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
                continue
            if source == thumb:
                _darken_image(thumb, target)
            else:
                scale_image(source, target, *conf["thumbnail_size"])


def _darken_image(source: Path, target: Path) -> None:
    """Write ``source``'s pixels recoloured with :func:`dark_colours.dark_colours`."""
    import numpy as np
    from PIL import Image

    rgba = np.asarray(Image.open(source).convert("RGBA"), dtype=float) / 255
    dark = np.round(dark_colours(rgba) * 255).astype(np.uint8)
    Image.fromarray(dark, "RGBA").save(target)


class DarkThumbnails(SphinxTransform):
    """Put each gallery thumbnail's dark twin beside it, with furo's theme classes."""

    default_priority = 500

    def apply(self, **kwargs) -> None:
        for image in list(self.document.findall(nodes.image)):
            if not (match := THUMBNAIL.match(image["uri"])):
                continue
            twin_uri = f"{match['stem']}{DARK}.png"
            if twin_uri.startswith("/"):
                twin_file = Path(self.env.srcdir, twin_uri[1:])
            else:
                twin_file = Path(self.env.doc2path(self.env.docname)).parent / twin_uri
            if not twin_file.is_file():
                continue
            twin = image.deepcopy()
            twin["uri"] = twin_uri
            twin["classes"] = [*image["classes"], "only-dark"]
            image["classes"] = [*image["classes"], "only-light"]
            image.parent.insert(image.parent.index(image) + 1, twin)


def visit_image_sg(self, node) -> None:
    """sphinx-gallery's HTML for its ``image-sg`` node, with every class it was given,
    the size of its smallest text, and its phone rendering where it has one.

    sphinx-gallery writes only the first class (``node["class"][0]`` in its
    ``directives.py``, 0.22), which would drop the theme class that follows
    ``sphx-glr-single-img``. Themed images load lazily. The scraper's record of the
    figure (:func:`record_path`) gives ``data-smallest-text-px``, and a phone rendering
    becomes a ``<source>`` for narrow screens, in a ``<picture>`` around the ``<img>``.
    """
    from sphinx_gallery.directives import _copy_images, visit_imgsg_html

    visit_imgsg_html(self, node)
    img = self.body[-1]
    classes = node["class"] or []
    if len(classes) > 1:
        img = img.replace(f'class = "{classes[0]}"', f'class="{" ".join(classes)}"', 1)
    if {"only-light", "only-dark"} & set(classes):
        # A lazy image that is not displayed is not fetched: a reader downloads the
        # rendering for their theme, not both.
        img = img.replace("<img ", '<img loading="lazy" ', 1)
    record_file = record_path(Path(self.builder.srcdir, node["uri"].lstrip("/")))
    record = json.loads(record_file.read_text(encoding="utf-8")) if record_file.is_file() else {}
    if "smallest_text_px" in record:
        drawn = record["smallest_text_px"]
        drawn = "none" if drawn is None else drawn  # "none": the figure has no text
        img = img.replace("<img ", f'<img data-smallest-text-px="{drawn}" ', 1)
    if phone := record.get("phone"):
        # The phone images beside the others in _images/, at the same relative address.
        _, srcset = _copy_images(self, {"srcset": phone["srcset"]})
        folder = re.search(r'src="([^"]*/)?[^"/]*"', img)[1] or ""
        phone_srcset = ", ".join(
            folder + PurePosixPath(path).name + (f" {factor:.2f}x" if factor else "")
            for factor, path in srcset.items()
        )
        img = (
            f'<picture><source media="{phone["media"]}" srcset="{phone_srcset}" '
            f'data-smallest-text-px="{phone["smallest_text_px"]}">{img}</picture>'
        )
    self.body[-1] = img


def setup(app):
    from sphinx_gallery.directives import depart_imgsg_html, imgsgnode

    app.add_node(imgsgnode, override=True, html=(visit_image_sg, depart_imgsg_html))
    app.connect("builder-inited", make_dark_thumbnails, priority=600)  # after the gallery
    app.add_transform(DarkThumbnails)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
