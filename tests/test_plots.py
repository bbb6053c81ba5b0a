"""The walkthroughs' diagrams: what they draw, and clear errors for input they can't draw."""

import matplotlib

matplotlib.use("Agg")  # no display in CI; must come before pyplot is imported

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from mnisttutor import plots


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draw_node_labels_every_signal_weight_and_the_output():
    ax = plots.draw_node([0.9, 0.1, 0.8], [0.3, 0.7, -0.5], output=0.4013)
    labels = texts(ax)
    for expected in ("signal 0.9", "signal 0.1", "signal 0.8", "w = +0.3", "w = -0.5"):
        assert expected in labels
    assert "output\n0.4013" in labels
    # one arrow per signal plus the output arrow, thicker for larger |weight|
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == 4
    widths = [a.arrow_patch.get_linewidth() for a in arrows[:3]]
    assert widths[1] > widths[2] > widths[0]


def test_draw_node_weight_labels_keep_clear_of_their_arrows():
    ax = plots.draw_node([0.9, 0.1, 0.8, 0.4], [0.3, 0.7, -0.5, -1.2], output=0.4013)
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw(renderer)
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None][:4]
    labels = [t for t in ax.texts if t.get_text().startswith("w = ")]
    for arrow, label in zip(arrows, labels, strict=True):
        box = label.get_window_extent(renderer)
        start, end = ax.transData.transform([arrow.xyann, arrow.xy])
        along = np.linspace(0, 1, 200)[:, None]
        points = start + along * (end - start)  # the arrow's line, in pixels
        assert not box.count_contains(points), label.get_text()


def test_draw_node_rejects_mismatched_signals_and_weights():
    with pytest.raises(ValueError, match="3 signals but 2 weights"):
        plots.draw_node([0.9, 0.1, 0.8], [0.3, 0.7], output=0.5)


def test_draw_network_samples_big_layers_and_labels_real_sizes():
    ax = plots.draw_network([784, 200, 10], names=["input", "hidden", "output"])
    shown = [len(c.get_offsets()) for c in ax.collections]
    assert shown == [12, 8, 10]
    labels = texts(ax)
    assert "input\n784 nodes" in labels
    assert "hidden\n200 nodes" in labels
    assert [str(d) for d in range(10)] == [t for t in labels if t.isdigit()]
    # every drawn node is linked to every drawn node of the next layer
    assert len(ax.lines) == 12 * 8 + 8 * 10


def test_draw_network_small_layers_are_drawn_whole():
    ax = plots.draw_network([3, 1])
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 1]


@pytest.mark.parametrize(
    ("layers", "names"), [([784], None), ([784, 0, 10], None), ([784, 10], ["only one"])]
)
def test_draw_network_rejects_what_it_cannot_draw(layers, names):
    with pytest.raises(ValueError, match="two or more layer sizes"):
        plots.draw_network(layers, names=names)


def cubic():
    x = torch.tensor(3.5, requires_grad=True)
    return x, (x - 1) * (x - 2) * (x - 3)


def test_autograd_edges_follow_the_tutorial_expression():
    _, y = cubic()
    edges = plots.autograd_edges(y.grad_fn)
    names = sorted((type(a).__name__, type(b).__name__) for a, b in edges)
    # y = ((x-1)*(x-2)) * (x-3): two multiplications, three subtractions, one leaf
    assert names == sorted(
        [("MulBackward0", "MulBackward0"), ("MulBackward0", "SubBackward0")]
        + [("MulBackward0", "SubBackward0")] * 2
        + [("SubBackward0", "AccumulateGrad")] * 3
    )


def test_layout_puts_every_node_below_all_its_users():
    _, y = cubic()
    edges = plots.autograd_edges(y.grad_fn)
    position = plots._layered_positions(edges, y.grad_fn)
    assert position[y.grad_fn][1] == max(py for _, py in position.values())
    for node, parent in edges:
        assert position[parent][1] < position[node][1]
    rows = {}
    for px, py in position.values():
        rows.setdefault(py, []).append(px)
    for xs in rows.values():
        assert len(set(xs)) == len(xs), "two nodes drawn on top of each other"


def test_draw_autograd_graph_says_what_each_node_computes():
    _, y = cubic()
    labels = [label for label in texts(plots.draw_autograd_graph(y)) if label]
    assert sorted(labels) == sorted(
        [
            "SubBackward0\nx - 1 = 2.5",
            "SubBackward0\nx - 2 = 1.5",
            "SubBackward0\nx - 3 = 0.5",
            "MulBackward0\n(x - 1) * (x - 2) = 3.75",
            "MulBackward0\ny = (x - 1) * (x - 2) * (x - 3) = 1.875",
            "AccumulateGrad\nx = 3.5, into x.grad",
        ]
    )


def test_after_backward_the_freed_values_are_left_out_not_an_error():
    _, y = cubic()
    y.backward()  # frees the numbers the multiplications saved
    labels = [label for label in texts(plots.draw_autograd_graph(y)) if label]
    assert labels.count("SubBackward0\nx - ?") == 3
    assert "AccumulateGrad\nx = 3.5, into x.grad" in labels
    assert "MulBackward0\ny = (x - ?) * (x - ?) * (x - ?) = 1.875" in labels


def test_no_arrow_of_the_autograd_graph_crosses_a_box():
    _, y = cubic()
    ax = plots.draw_autograd_graph(y)
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = {t: t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts if t.get_text()}
    arrows = [a for a in ax.texts if not a.get_text()]
    assert len(arrows) == 7
    for arrow in arrows:
        user, source = arrow.xycoords, arrow.anncoords  # the boxes it joins
        start = boxes[source].x0 + boxes[source].width / 2, boxes[source].y1
        end = boxes[user].x0 + boxes[user].width / 2, boxes[user].y0
        assert end[1] > start[1], "arrows point up"
        for text, box in boxes.items():
            if text in (user, source):
                continue
            for t in np.linspace(0, 1, 200):
                point = (start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
                assert not box.contains(*point), f"an arrow crosses {text.get_text()!r}"


def test_draw_autograd_graph_says_when_nothing_was_recorded():
    with pytest.raises(ValueError, match="requires_grad=True"):
        plots.draw_autograd_graph(torch.tensor(3.5) * 2)
