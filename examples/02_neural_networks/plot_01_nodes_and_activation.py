"""
A node combines signals
=======================

Goal: see what a single node of a neural network computes. It multiplies each incoming
signal by a :term:`weight`, adds them up, and passes the sum through an
:term:`activation function`, here the :term:`sigmoid`, which squashes any number into
the range 0 to 1.
"""

# %%
# The inspiration: a neuron
# -------------------------
# The idea comes from brains. A nerve cell, a neuron, collects electrical signals from
# many others. It does not pass each one on; it adds them up, and only when the total is
# strong enough does it fire a signal of its own to the next cells. Networks of very
# many such simple cells recognise faces and read handwriting.
#
# A *node* copies that idea with numbers: it takes in several numbers (signals), adds
# them up, each counting as much as its link says, and sends out one number.
#
# Weighted sum
# ------------
# Three signals arrive, each over a link with its own *weight*: a number that says how
# much that link counts. A large weight passes a signal on strongly, a weight near 0
# nearly ignores it, and a negative one works against the others. The node multiplies
# each signal by its weight and adds the results. Learning, for a network, means
# adjusting its weights, as section 1's machine adjusted ``c``.
#
# The signals and the weights are each kept in a :term:`NumPy array`, a row of numbers
# that arithmetic works on all at once. ``signals @ weights``, Python's :term:`@`
# operator, multiplies the two rows number by number and adds the products: exactly the
# weighted sum.

import numpy as np

signals = np.array([0.9, 0.1, 0.8])
weights = np.array([0.3, 0.7, -0.5])
weighted_sum = signals @ weights
for s, w in zip(signals, weights):
    print(f"signal {s:.1f} x weight {w:+.1f} = {s * w:+.2f}")
print(f"weighted sum = {weighted_sum:+.2f}")

# %%
# The sigmoid activation
# ----------------------
# The node's output is ``sigmoid(weighted sum) = 1 / (1 + exp(-sum))``. Large negative
# sums give nearly 0 (the neuron stays quiet), large positive ones nearly 1 (it fires),
# and 0 gives exactly 0.5. Unlike a neuron's all-or-nothing switch, the sigmoid is
# smooth: nudge the sum a little and the output moves a little, never jumps. The next
# page's training method relies on exactly that. Expect an output a little below 0.5
# here, as the weighted sum is slightly negative.


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
# The same node as a picture: signals in on the left, weights on the links (thicker
# for larger weights, dashed for a negative one), the sum and the sigmoid inside, the
# output on the right. The drawing is one call to a helper of this package,
# :func:`mnisttutor.plots.draw_node`.

from mnisttutor import plots

plots.draw_node(signals, weights, output)
plt.show()

# sphinx_gallery_thumbnail_number = 1
