"""Diagrams for the walkthroughs: a node, a layered network, an autograd graph.

The pages teach what these pictures show; the geometry that draws them lives here, so a
page calls one line, e.g. ``plots.draw_network([784, 200, 10])``. Each function draws on
``ax`` (a new figure when it is None) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

NODE_FACE = "lightyellow"
LEAF_FACE = "lightblue"  # where autograd stores a gradient (an AccumulateGrad node)


def _axes(ax: plt.Axes | None, figsize: tuple[float, float]) -> plt.Axes:
    """``ax``, or the Axes of a new figure of ``figsize`` inches laid out to fit its text.

    The diagrams are drawn for the page's text column: about 5 inches wide, so that their
    10-point text still reads when a phone shows them 353 px wide.
    """
    return plt.subplots(figsize=figsize, layout="constrained")[1] if ax is None else ax


def draw_node(
    signals: Sequence[float], weights: Sequence[float], output: float, ax: plt.Axes | None = None
) -> plt.Axes:
    """One node: signals in on the left, a weight on each link, the output on the right.

    Thicker arrows carry larger weights (by absolute value); a negative weight's arrow is
    dashed. Each weight is written beside
    its arrow, on the side the arrow slopes away from, so no label covers a line. The title
    says what the picture is (it is also the picture's text for screen readers on the site).

    Examples
    --------
    >>> from mnisttutor.plots import draw_node
    >>> ax = draw_node([0.9, 0.1, 0.8], [0.3, 0.7, -0.5], output=0.4)
    >>> [t.get_text() for t in ax.texts if t.get_text()][:2]
    ['signal 0.9', 'w = +0.3']
    """
    if len(signals) != len(weights):
        raise ValueError(
            f"draw_node got {len(signals)} signals but {len(weights)} weights: "
            "give one weight per signal"
        )
    ax = _axes(ax, (4.4, 2.6))
    node, radius = np.array([1.1, 0.5]), 0.17  # data units: the axes are 1 unit high
    right = np.array([1.0, 0.0])
    rows = np.linspace(0.88, 0.12, len(signals)) if len(signals) > 1 else [0.5]
    for s, w, row in zip(signals, weights, rows, strict=True):
        start = np.array([0.46, row])
        end = node + radius * (start - node) / np.linalg.norm(start - node)  # circle's edge
        # A negative weight, which works against the others, is drawn dashed.
        arrow = {"arrowstyle": "->", "lw": 1 + 3 * abs(w), "linestyle": "--" if w < 0 else "-"}
        ax.annotate("", end, start, arrowprops=arrow)
        ax.text(start[0] - 0.03, start[1], f"signal {s:.1f}", ha="right", va="center")
        # Above an arrow that falls to the right, below one that rises: the text runs
        # rightwards, away from its line.
        middle, slope = start + 0.3 * (end - start), (end - start)[1]
        above = slope <= 0
        ax.annotate(
            f"w = {w:+.1f}",
            middle,
            xytext=(0, 4 if above else -4),
            textcoords="offset points",
            ha="left" if abs(slope) > 0.02 else "center",
            va="bottom" if above else "top",
        )
    ax.add_patch(plt.Circle(node, radius, fc=NODE_FACE, ec="k"))
    ax.text(*node, "sum,\nthen\nsigmoid", ha="center", va="center")
    ax.annotate(
        "", node + (radius + 0.2) * right, node + radius * right, arrowprops={"arrowstyle": "->"}
    )
    ax.text(node[0] + radius + 0.23, node[1], f"output\n{output:.4f}", va="center")
    ax.set(xlim=(0.1, 1.75), ylim=(0, 1), aspect="equal")
    ax.set_title(f"One node: {len(signals)} weighted signals in, one output")
    ax.axis("off")
    return ax


def draw_network(
    layers: Sequence[int],
    names: Sequence[str] | None = None,
    max_shown: int = 12,
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """A fully connected network, drawing at most ``max_shown`` nodes of each layer.

    Every drawn node is linked to every drawn node of the next layer; each layer's name
    and real size are written below it. An output layer of up to ``max_shown`` nodes is
    numbered 0, 1, ... (the digits, for MNIST).

    Examples
    --------
    >>> from mnisttutor.plots import draw_network
    >>> ax = draw_network([784, 200, 10], names=["input", "hidden", "output"])
    >>> ax.texts[0].get_text()
    'input\\n784 nodes'
    """
    names = [f"layer {i}" for i in range(len(layers))] if names is None else names
    if len(layers) < 2 or len(names) != len(layers) or min(layers) < 1:
        raise ValueError(
            f"draw_network needs two or more layer sizes >= 1 and one name per layer; "
            f"got sizes {list(layers)} and names {list(names)}"
        )
    ax = _axes(ax, (5.2, 4.4))
    # The middle layers show a few fewer nodes than the input, so the fan of links reads.
    shown = [
        min(n, max_shown if i in (0, len(layers) - 1) else max_shown * 2 // 3)
        for i, n in enumerate(layers)
    ]
    ys = [np.linspace(0.9, 0.1, n) if n > 1 else np.array([0.5]) for n in shown]
    for x in range(len(layers) - 1):
        for y0 in ys[x]:
            targets = ys[x + 1]
            ax.plot([x, x + 1], np.c_[np.full(len(targets), y0), targets].T, c="C0", lw=0.3)
    for x, (n, total, name) in enumerate(zip(shown, layers, names, strict=True)):
        ax.scatter(np.full(n, x), ys[x], s=120, c=NODE_FACE, edgecolors="k", zorder=3)
        ax.text(x, 0.0, f"{name}\n{total} nodes", ha="center", va="top")
    if layers[-1] <= max_shown:
        for label, y in enumerate(ys[-1]):
            ax.text(len(layers) - 1 + 0.08, y, str(label), va="center")
    sizes = " - ".join(map(str, layers))
    ax.set(
        xlim=(-0.4, len(layers) - 0.6), ylim=(-0.12, 1), title=f"{sizes} (a sample of each layer)"
    )
    ax.axis("off")
    return ax


def autograd_edges(grad_fn) -> list[tuple[object, object]]:
    """The graph autograd recorded, as (node, input) pairs reachable from ``grad_fn``.

    Each node's inputs are its ``next_functions``; the leaves are ``AccumulateGrad``
    nodes, where ``backward()`` stores a gradient.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor.plots import autograd_edges
    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> [(type(a).__name__, type(b).__name__) for a, b in autograd_edges((x * 3).grad_fn)]
    [('MulBackward0', 'AccumulateGrad')]
    """
    edges, todo, seen = [], [grad_fn], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for parent, _ in node.next_functions:
            if parent is not None:
                edges.append((node, parent))
                todo.append(parent)
    return edges


def _inputs(node) -> list:
    return [parent for parent, _ in node.next_functions if parent is not None]


def _values(root, y: torch.Tensor) -> dict[object, float]:
    """The number each node produced, where the graph keeps it.

    ``y`` is the root's; a multiplication saves both numbers it multiplied (its inputs'
    values); a leaf holds its tensor. Nodes whose values are kept nowhere are left out.
    """
    value = {root: y.item()} if y.numel() == 1 else {}
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        try:
            saved = (getattr(node, "_saved_self", None), getattr(node, "_saved_other", None))
        except RuntimeError:  # backward() has freed them: these values are unknown
            saved = (None, None)
        multiply = type(node).__name__.startswith("MulBackward")
        for i, (parent, _) in enumerate(node.next_functions):
            if parent is None:
                continue
            if hasattr(parent, "variable") and parent.variable.numel() == 1:
                value[parent] = parent.variable.item()
            elif multiply and i < 2 and isinstance(saved[i], torch.Tensor):
                if saved[i].numel() == 1:
                    value[parent] = saved[i].item()
            todo.append(parent)
    return value


def _expressions(root, value, leaf_name: str) -> dict[object, str]:
    """What each node computes, written in terms of the leaf: ``x - 1``, ``(x - 1) * (x - 2)``.

    Subtractions of a number and multiplications are spelled out; any other node is
    named by its type alone.
    """
    expression: dict[object, str] = {}

    def write(node) -> str:
        if node in expression:
            return expression[node]
        inputs = _inputs(node)
        kind = type(node).__name__
        if not node.next_functions:
            text = leaf_name
        elif kind.startswith("SubBackward") and len(inputs) == 1 and {node, *inputs} <= set(value):
            subtracted = value[inputs[0]] - value[node]
            text = f"{write(inputs[0])} - {subtracted:g}"
        elif kind.startswith("SubBackward") and len(inputs) == 1:  # the number is not kept
            text = f"{write(inputs[0])} - ?"
        elif kind.startswith("MulBackward") and len(inputs) == 2:
            subtraction = [type(i).__name__.startswith("SubBackward") for i in inputs]
            parts = [
                f"({write(i)})" if sub else write(i)
                for i, sub in zip(inputs, subtraction, strict=True)
            ]
            text = " * ".join(parts)
        else:
            text = kind
        expression[node] = text
        return text

    write(root)
    for node in list(expression):  # nodes reached only through another kind of node
        for parent in _inputs(node):
            write(parent)
    return expression


def _layered_positions(edges, root) -> dict[object, tuple[float, float]]:
    """(x, y) for each node: leaves on the bottom row (y = 0), each node one row above
    the highest of its inputs, so every arrow runs upwards.

    The nodes just above the leaves are spaced evenly, in the order the graph lists its
    inputs (left input first); every other node sits above the middle of its inputs, and
    a leaf below the middle of its users, so arrows fan out without crossing.
    """
    nodes = [root]  # depth-first, left input first
    for node in nodes:
        nodes.extend(p for p in _inputs(node) if p not in nodes)
    order = {node: i for i, node in enumerate(_preorder(root))}
    height: dict[object, int] = {}

    def rise(node) -> int:
        if node not in height:
            height[node] = 1 + max(map(rise, _inputs(node)), default=-1)
        return height[node]

    rise(root)
    position: dict[object, tuple[float, float]] = {}
    lowest = sorted((n for n in nodes if height[n] == 1), key=order.get)
    lowest += sorted((n for n in nodes if height[n] == 0 and n is root), key=order.get)
    for i, node in enumerate(lowest):
        position[node] = (float(i + 1), 1.0)
    for row in range(2, height[root] + 1):
        for node in sorted((n for n in nodes if height[n] == row), key=order.get):
            xs = [position[p][0] for p in _inputs(node)]
            position[node] = (sum(xs) / len(xs), float(row))
    for node in nodes:
        if height[node] == 0 and node is not root:
            users = [position[a][0] for a, b in edges if b is node]
            position[node] = (sum(users) / len(users), 0.0)
    return position


def _preorder(root) -> list:
    found, todo = [], [root]
    while todo:
        node = todo.pop()
        if node not in found:
            found.append(node)
            todo.extend(reversed(_inputs(node)))
    return found


def draw_autograd_graph(
    y: torch.Tensor, leaf_name: str = "x", ax: plt.Axes | None = None
) -> plt.Axes:
    """The operations autograd recorded to compute ``y``, with ``y`` on top.

    Each box names the node's type and what it computes, with the number it produced
    (``SubBackward0``, ``x - 1 = 2.5``). Arrows point up, the way the numbers flowed
    forwards, from the top of one box to the bottom of the next; ``y.backward()`` runs
    down them. Leaves (where gradients are stored) are blue.

    Examples
    --------
    >>> import torch
    >>> from mnisttutor.plots import draw_autograd_graph
    >>> x = torch.tensor(3.5, requires_grad=True)
    >>> ax = draw_autograd_graph((x - 1) * (x - 2))
    >>> sorted(t.get_text().splitlines()[1] for t in ax.texts if t.get_text())
    ['x - 1 = 2.5', 'x - 2 = 1.5', 'x = 3.5, into x.grad', 'y = (x - 1) * (x - 2) = 3.75']
    """
    if y.grad_fn is None:
        raise ValueError(
            "draw_autograd_graph needs a tensor computed from one with requires_grad=True "
            "(its grad_fn is None, so autograd recorded nothing)"
        )
    root = y.grad_fn
    edges = autograd_edges(root)
    position = _layered_positions(edges, root)
    value = _values(root, y)
    expression = _expressions(root, value, leaf_name)
    ax = _axes(ax, (5.2, 3.6))
    boxes = {}
    for node, (px, py) in position.items():
        leaf = not node.next_functions
        said = ("y = " if node is root else "") + expression[node]
        if node in value:
            said += f" = {value[node]:.4g}"
        if leaf:
            said += f", into {leaf_name}.grad"
        box = {"boxstyle": "round", "fc": LEAF_FACE if leaf else NODE_FACE}
        label = f"{type(node).__name__}\n{said}"
        boxes[node] = ax.text(px, py, label, ha="center", va="center", bbox=box, fontsize=10)
    for node, parent in edges:  # from the top of the input's box to the bottom of the user's
        ax.annotate(
            "",
            xy=(0.5, 0),
            xycoords=boxes[node],
            xytext=(0.5, 1),
            textcoords=boxes[parent],
            arrowprops={"arrowstyle": "->", "color": "grey", "shrinkA": 2, "shrinkB": 2},
        )
    xs = [px for px, _ in position.values()]
    ax.set(
        xlim=(min(xs) - 0.6, max(xs) + 0.6),
        ylim=(-0.35, max(py for _, py in position.values()) + 0.35),
    )
    ax.set_title("The graph behind y.backward()")
    ax.axis("off")
    return ax
