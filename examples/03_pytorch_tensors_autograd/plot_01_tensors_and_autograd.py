"""
Tensors and automatic gradients
===============================

Goal: compute ``y = (x - 1)(x - 2)(x - 3)`` at ``x = 3.5`` with a PyTorch tensor, let
PyTorch find the gradient ``dy/dx`` for us, check it against the derivative worked out by
hand, and look at the computation graph PyTorch recorded to get it.
"""

# %%
# A tensor is a number that can remember
# --------------------------------------
# A plain tensor behaves like a number or a numpy array. With ``requires_grad=True``,
# PyTorch also records every operation that uses it.

import torch

a = torch.tensor(3.5)
print(a, a + 3)

x = torch.tensor(3.5, requires_grad=True)
print(x)

# %%
# Computing y
# -----------
# ``y`` depends on ``x``. Its ``grad_fn`` is the last operation that produced it: the
# start of the recorded graph.

y = (x - 1) * (x - 2) * (x - 3)
print(f"y = {y.item():.4f}")
print(f"y.grad_fn is a {type(y.grad_fn).__name__}")

# %%
# The gradient, automatically
# ---------------------------
# ``y.backward()`` walks the graph backwards with the chain rule and stores
# ``dy/dx`` in ``x.grad``.

y.backward()
print(f"x.grad = {x.grad.item():.4f}")

# %%
# Checking by hand
# ----------------
# Multiplied out, y = x³ - 6x² + 11x - 6, so its derivative is dy/dx = 3x² - 12x + 11.
# At x = 3.5 that gives the same number as autograd.

x_value = x.item()
by_hand = 3 * x_value**2 - 12 * x_value + 11
print(f"3x^2 - 12x + 11 at x = {x_value}: {by_hand:.4f}")
print(f"autograd agrees with the hand derivative: {abs(x.grad.item() - by_hand) < 1e-6}")

# %%
# What the gradient means
# -----------------------
# The gradient is the slope of ``y`` at ``x``: the tangent line touches the curve
# there. Training uses exactly this, with the error in place of ``y``.

import matplotlib.pyplot as plt

xs = torch.linspace(0.5, 4, 200)
ys = (xs - 1) * (xs - 2) * (xs - 3)
slope, y0 = x.grad.item(), y.item()
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(xs, ys, label="y = (x-1)(x-2)(x-3)")
near = torch.linspace(x_value - 0.5, x_value + 0.5, 2)
ax.plot(near, y0 + slope * (near - x_value), "r--", label=f"tangent, slope {slope:.2f}")
ax.plot([x_value], [y0], "ro")
ax.set(xlabel="x", ylabel="y", title="The gradient is the slope at x")
ax.axhline(0, color="grey", lw=0.5)
ax.legend()
plt.show()

# %%
# The computation graph
# ---------------------
# Each ``grad_fn`` lists the operations that fed it in ``next_functions``. Walking them
# from ``y`` gives the graph that ``backward()`` followed; ``AccumulateGrad`` is where the
# gradient lands in ``x.grad``.


def graph_edges(grad_fn):
    """The recorded graph as (node, input) pairs, starting from ``grad_fn``."""
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


x = torch.tensor(3.5, requires_grad=True)
y = (x - 1) * (x - 2) * (x - 3)
edges = graph_edges(y.grad_fn)
for node, parent in edges:
    print(f"{type(node).__name__:>12} <- {type(parent).__name__}")

# %%
# Laying the graph out
# --------------------
# Each node goes one row below the furthest node that uses it, and within a row in the
# order of the nodes it feeds, so that arrows rarely cross.


def layout(edges, root):
    """(x, y) positions for the graph's nodes, ``root`` on top."""
    depth = {root: 0}
    for _ in edges:  # relax longest-path depths; len(edges) passes always suffice
        for node, parent in edges:
            depth[parent] = max(depth.get(parent, 0), depth[node] + 1)
    position = {root: (0.5, 0)}
    for row in range(1, max(depth.values()) + 1):
        members = [n for n in depth if depth[n] == row]
        users = {n: [position[a][0] for a, b in edges if b is n and a in position] for n in members}
        members.sort(key=lambda n: sum(users[n]) / len(users[n]))
        for i, node in enumerate(members):
            position[node] = ((i + 1) / (len(members) + 1), -row)
    return position


position = layout(edges, y.grad_fn)

# %%
# Drawing it
# ----------
# The arrows point up, the way the numbers flowed forwards; ``backward()`` runs down
# them, from ``y`` to ``x.grad``.

fig, ax = plt.subplots(figsize=(7, 4.5))
for node, parent in edges:
    arrow = {"arrowstyle": "->", "color": "grey", "shrinkA": 15, "shrinkB": 15}
    ax.annotate("", position[node], position[parent], arrowprops=arrow)
for node, (px, py) in position.items():
    leaf = not node.next_functions
    label = type(node).__name__ + ("\n(into x.grad)" if leaf else "")
    box = {"boxstyle": "round", "fc": "lightblue" if leaf else "lightyellow"}
    ax.text(px, py, label, ha="center", va="center", bbox=box)
ax.text(0.5, 0.5, f"y = {y.item():.4f}", ha="center")
ax.set(xlim=(0, 1), ylim=(min(py for _, py in position.values()) - 0.5, 0.8))
ax.set_title("The graph behind y.backward()")
ax.axis("off")
plt.show()

# sphinx_gallery_thumbnail_number = 2
