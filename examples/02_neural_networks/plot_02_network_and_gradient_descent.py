"""
The 784-200-10 network and gradient descent
===========================================

Goal: picture the network this tutorial trains to read digits, count its weights, and
watch gradient descent, the method that adjusts them, take steps down an error curve.
"""

# %%
# Three layers
# ------------
# Each image has 28 x 28 = 784 pixels, one input node per pixel. A hidden layer of 200
# nodes combines them, and 10 output nodes, one per digit, give the answer. Every node
# is linked to every node of the next layer, each link with its own weight.

from itertools import pairwise

from mnisttutor.classifier import IMAGE_PIXELS, NUM_CLASSES

layers = [IMAGE_PIXELS, 200, NUM_CLASSES]
weights = sum(a * b for a, b in pairwise(layers))
biases = sum(layers[1:])
print(f"layers: {' - '.join(map(str, layers))}")
print(f"{weights:,} weights and {biases} biases to learn")

# %%
# Drawing the network
# -------------------
# Far too many nodes to draw them all: each layer shows a sample of its nodes, with
# the count below. Every drawn node is linked to every drawn node of the next layer.

import matplotlib.pyplot as plt
import numpy as np

shown = [12, 8, NUM_CLASSES]
names = ["input (pixels)", "hidden", "output (digits)"]
fig, ax = plt.subplots(figsize=(8, 6))
ys = [np.linspace(0.9, 0.1, n) for n in shown]
for x in range(len(shown) - 1):
    for y0 in ys[x]:
        ax.plot([x, x + 1], np.c_[np.full(len(ys[x + 1]), y0), ys[x + 1]].T, c="C0", lw=0.3)
for x, (n, total, name) in enumerate(zip(shown, layers, names, strict=True)):
    ax.scatter(np.full(n, x), ys[x], s=180, c="lightyellow", edgecolors="k", zorder=3)
    ax.text(x, 0.0, f"{name}\n{total} nodes", ha="center", va="top")
for digit, y in enumerate(ys[2]):
    ax.text(2.08, y, str(digit), va="center")
ax.set(xlim=(-0.4, 2.4), ylim=(-0.12, 1), title="784 - 200 - 10 (a sample of each layer)")
ax.axis("off")
plt.show()

# %%
# An error curve
# --------------
# Training changes each weight to make the error smaller. Picture the error as a
# curve over one weight: gradient descent starts somewhere, finds the slope there, and
# steps downhill by ``learning rate x slope``.


def error(w):
    return (w - 2) ** 2 / 4 + 0.3 * np.sin(3 * w) + 1


def slope(w, h=1e-6):
    return (error(w + h) - error(w - h)) / (2 * h)


def descend(w, learning_rate, steps):
    path = [w]
    for _ in range(steps):
        w = w - learning_rate * slope(w)
        path.append(w)
    return np.array(path)


# %%
# Steps down the curve
# --------------------
# Small steps creep down reliably but slowly; larger ones get there faster but can
# overshoot. Either way, descent stops in the valley it starts in, which may not be the
# lowest.

w_axis = np.linspace(-1.5, 5, 400)
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(w_axis, error(w_axis), "k", lw=1.5, label="error(w)")
for start, rate, colour in ((-1.2, 0.1, "C0"), (-1.2, 0.5, "C1"), (4.5, 0.2, "C2")):
    path = descend(start, rate, steps=15)
    ax.plot(path, error(path), "o-", c=colour, ms=4, label=f"from {start}, rate {rate}")
    print(f"start {start:+.1f}, rate {rate}: w -> {path[-1]:.3f}, error {error(path[-1]):.3f}")
ax.set(xlabel="weight w", ylabel="error", title="Gradient descent: 15 steps downhill")
ax.legend()
ax.grid(alpha=0.3)
plt.show()
