"""The ``machine-graph`` directive: "Your machine's graph", on the train page.

A button times training steps of the tutorial's network on the reader's CPU (the lab's
WebAssembly kernel) and GPU (WebGPU, ``_static/webgpu/``), and draws them beside the
curves recorded on a GPU machine. This module writes the widget's markup with those
recorded curves in it, read when the page is built from the package's recorded results
through :mod:`mnisttutor.results` (so a revised results file redraws the page), and adds
the widget's scripts and styles to the pages that use it.

Recorded curves, in the units the page measures:

- hidden-layer sizes: :data:`SCALING_FILES`, µs per step of one image;
- batch sizes: the mini-batch rows of :data:`BATCH_FILE`, µs per image (a run's seconds
  over its epochs times images), for batches up to :data:`LARGEST_BATCH`, the largest
  the page measures.

Each is labelled as the package labels it (device described, date), and the sentence
under each graph says where the recorded lines cross, by
:func:`mnisttutor.results.crossing`.
"""

from __future__ import annotations

import html
import json

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util.docutils import SphinxDirective

SCALING_FILES = ("scaling-cpu-h200-host.json", "scaling-cuda.json")
BATCH_FILE = "minibatch-sweep-cuda.json"
LARGEST_BATCH = 1000  # as BATCHES in _static/webgpu/graph.js
# Each device's colour (matplotlib's C0 and C1, as section 7 draws the CPU and GPU),
# and its dark-theme twin made the way the site's figures are recoloured.
COLOURS = {"cpu": "#1f77b4", "gpu": "#ff7f0e"}
MARKER = 'id="mnist-graph"'  # in the page's body where the widget is

WIDGET = """
<div class="mnist-graph" id="mnist-graph">
  <p class="mnist-graph__support" role="status"></p>
  <div class="mnist-graph__buttons">
    <button type="button" class="mnist-graph__measure">Measure your machine</button>
    <button type="button" class="mnist-graph__stop" disabled>Stop</button>
  </div>
  <div class="mnist-graph__progress">
    <label for="mnist-graph-bar">Progress</label>
    <progress id="mnist-graph-bar" class="mnist-graph__bar" max="1" value="0"></progress>
  </div>
  <p class="mnist-graph__status" role="status" aria-live="polite"></p>
  {figures}
  <script type="application/json" class="mnist-graph__recorded">{recorded}</script>
</div>
"""

FIGURE = """
  <figure class="mnist-graph__figure" data-chart="{chart}">
    <figcaption id="mnist-graph-{chart}-caption">
      <span class="mnist-graph__title">{title}</span>
      <span class="mnist-graph__summary"></span>
      <span class="mnist-graph__recorded-summary">{recorded_summary}</span>
    </figcaption>
    <canvas class="mnist-graph__chart" width="720" height="400" role="img"
            aria-label="{title}: a line for each device, with the numbers in the table below"
            aria-describedby="mnist-graph-{chart}-caption"></canvas>
    <ul class="mnist-graph__legend" aria-label="The lines of this graph"></ul>
    <div class="mnist-graph__table" role="region" tabindex="0"
         aria-label="{title}: the numbers">
      <table>
        <caption>The graph's numbers: {unit}</caption>
        <thead></thead>
        <tbody></tbody>
      </table>
    </div>
  </figure>
"""

CHARTS = {
    "hidden": {
        "title": "Time per training step as the hidden layer grows, one image a step",
        "unit": "time per training step",
        "size": "hidden nodes",
    },
    "batch": {
        "title": "Time per image as the batch grows, 200 hidden nodes",
        "unit": "time per image",
        "size": "images a step",
    },
}


def _device(row: dict) -> str:
    return "cpu" if row["device"].startswith("cpu") else "gpu"


def recorded_curves() -> dict:
    """The recorded curves of both graphs: ``{"hidden": [...], "batch": [...]}``.

    Each curve is ``{"label", "device": "cpu" | "gpu", "points": [[size, µs], ...]}``.
    """
    from mnisttutor.results import RECORDED, recorded_rows

    hidden = []
    for name in SCALING_FILES:
        rows = recorded_rows(RECORDED, name)
        if not rows:
            raise ExtensionError(
                f"machine graph: no rows in {RECORDED / name}. The train page draws its "
                f"recorded hidden-layer curves from it: restore it, or change "
                f"SCALING_FILES in {__name__}.py."
            )
        points = sorted([row["hidden"], row["us_per_step"]] for row in rows)
        hidden.append({"label": rows[0]["recorded"], "device": _device(rows[0]), "points": points})
    batch = {}
    for row in recorded_rows(RECORDED, BATCH_FILE, benchmark="minibatch"):
        if row["batch_size"] <= LARGEST_BATCH:
            curve = batch.setdefault(
                row["recorded"], {"label": row["recorded"], "device": _device(row), "points": []}
            )
            us_per_image = row["seconds"] * 1e6 / (row["epochs"] * row["images"])
            curve["points"].append([row["batch_size"], round(us_per_image, 4)])
    if not batch:
        raise ExtensionError(
            f"machine graph: no mini-batch rows in {RECORDED / BATCH_FILE}; restore it, "
            f"or change BATCH_FILE in {__name__}.py."
        )
    for curve in batch.values():
        curve["points"].sort()
    return {"hidden": hidden, "batch": list(batch.values())}


def recorded_summary(curves: list[dict], size: str) -> str:
    """Where the recorded CPU and GPU lines cross, in one sentence (or nothing), and the
    sizes they were recorded at (a table's empty cells are the sizes they were not)."""
    from mnisttutor.results import crossing

    by_device = {curve["device"]: curve for curve in curves}
    if set(by_device) != {"cpu", "gpu"}:
        return ""
    cpu, gpu = (by_device[d]["points"] for d in ("cpu", "gpu"))
    common = sorted({x for x, _ in cpu} & {x for x, _ in gpu})
    on = lambda points: [(x, y) for x, y in points if x in common]  # noqa: E731
    between = crossing(on(cpu), on(gpu)) if common else None
    if between is None:
        crossed = "The recorded lines do not cross at the sizes recorded."
    else:
        crossed = f"The recorded lines cross between {between[0]:,} and {between[1]:,} {size}."
    sizes = [f"{x:,}" for x in sorted({x for curve in curves for x, _ in curve["points"]})]
    listed = sizes[0] if len(sizes) == 1 else f"{', '.join(sizes[:-1])} and {sizes[-1]}"
    return f"{crossed} They were recorded at {listed} {size}."


def palette() -> dict:
    """Each device's colour in furo's light and dark themes."""
    from dark_colours import dark_colours
    from matplotlib.colors import to_hex, to_rgba

    return {
        "light": COLOURS,
        "dark": {device: to_hex(dark_colours(to_rgba(c))) for device, c in COLOURS.items()},
    }


def widget_html() -> str:
    curves = recorded_curves()
    figures = "".join(
        FIGURE.format(
            chart=chart,
            title=html.escape(text["title"]),
            unit=html.escape(text["unit"]),
            recorded_summary=html.escape(recorded_summary(curves[chart], text["size"])),
        )
        for chart, text in CHARTS.items()
    )
    data = {"curves": curves, "colours": palette(), "charts": CHARTS}
    # Inside <script>, only "</" could end it early; JSON may write it as "<\/".
    recorded = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return WIDGET.format(figures=figures, recorded=recorded)


class MachineGraph(SphinxDirective):
    """``.. machine-graph::``: the widget, with the recorded curves read now."""

    def run(self):
        from mnisttutor.results import RECORDED

        # Read the page again when the recorded results change, or this module does.
        for path in (*(RECORDED / name for name in (*SCALING_FILES, BATCH_FILE)), __file__):
            self.env.note_dependency(str(path))
        return [nodes.raw("", widget_html(), format="html")]


def add_assets(app, pagename, templatename, context, doctree) -> None:
    if MARKER in context.get("body", ""):  # only the pages that show it
        app.add_css_file("webgpu/graph.css")
        app.add_js_file("webgpu/chart.js", loading_method="defer")
        app.add_js_file("webgpu/graph.js", loading_method="defer")


def setup(app):
    app.add_directive("machine-graph", MachineGraph)
    app.connect("html-page-context", add_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
