"""
A node combines signals
=======================

Goal: see what a single node of a neural network computes. It multiplies each incoming
signal by a weight, adds them up, and passes the sum through an *activation function*,
here the sigmoid, which squashes any number into the range 0 to 1.
"""

# %%
# Weighted sum
# ------------
# Three signals arrive, each over a link with its own weight. The node adds up the
# weighted signals. Learning means adjusting those weights.

import numpy as np

signals = np.array([0.9, 0.1, 0.8])
weights = np.array([0.3, 0.7, -0.5])
weighted_sum = signals @ weights
for s, w in zip(signals, weights, strict=True):
    print(f"signal {s:.1f} x weight {w:+.1f} = {s * w:+.2f}")
print(f"weighted sum = {weighted_sum:+.2f}")

# %%
# The sigmoid activation
# ----------------------
# The node's output is ``sigmoid(weighted sum) = 1 / (1 + exp(-sum))``. Large negative
# sums give nearly 0, large positive ones nearly 1, and 0 gives exactly 0.5. Because it
# is smooth, it has a gradient everywhere, which is what training needs.


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


output = sigmoid(weighted_sum)
print(f"output = sigmoid({weighted_sum:+.2f}) = {output:.4f}")

# %%
# Plotting the sigmoid
# --------------------

import matplotlib.pyplot as plt

z = np.linspace(-8, 8, 400)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(z, sigmoid(z), lw=2, label="sigmoid(z) = 1 / (1 + exp(-z))")
ax.plot([weighted_sum], [output], "ro", label=f"this node: sigmoid({weighted_sum:+.2f})")
ax.axhline(0.5, color="grey", lw=0.5, ls="--")
ax.set(xlabel="weighted sum z", ylabel="output", title="The sigmoid squashes into (0, 1)")
ax.legend(loc="upper left")
ax.grid(alpha=0.3)
plt.show()

# %%
# Drawing the node
# ----------------
# The same node as a picture: signals in on the left, weights on the links, the sum and
# the sigmoid inside, the output on the right.

fig, ax = plt.subplots(figsize=(8, 4))
node, radius = np.array([0.62, 0.5]), 0.13
right, up = np.array([1.0, 0.0]), np.array([0.0, 1.0])
for i, (s, w) in enumerate(zip(signals, weights, strict=True)):
    start = np.array([0.12, 0.85 - 0.35 * i])
    end = node + radius * (start - node) / np.linalg.norm(start - node)  # circle's edge
    ax.annotate("", end, start, arrowprops={"arrowstyle": "->", "lw": 1 + 3 * abs(w)})
    ax.text(start[0] - 0.02, start[1], f"signal {s:.1f}", ha="right", va="center")
    ax.text(
        *(start + 0.35 * (end - start) + 0.04 * up),
        f"w = {w:+.1f}",
        ha="center",
        backgroundcolor="white",
    )
ax.add_patch(plt.Circle(node, radius, fc="lightyellow", ec="k"))
ax.text(*node, "sum,\nthen\nsigmoid", ha="center", va="center")
ax.annotate("", node + 0.33 * right, node + radius * right, arrowprops={"arrowstyle": "->"})
ax.text(node[0] + 0.35, node[1], f"output\n{output:.4f}", va="center")
ax.set(xlim=(-0.2, 1.15), ylim=(0, 1), aspect="equal")
ax.axis("off")
plt.show()

# sphinx_gallery_thumbnail_number = 1
