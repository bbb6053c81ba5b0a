"""
The 784-200-10 network and gradient descent
===========================================

Goal: picture the network this tutorial trains to read digits, count its weights, and
watch gradient descent, the method that adjusts them, take steps down a loss curve.
"""

# %%
# Three layers
# ------------
# Each image has 28 x 28 = 784 pixels, one input node per pixel. A
# :term:`hidden layer <layer>` of 200 nodes combines them (hidden because we never see
# its numbers directly), and 10 output nodes, one per digit, give the answer: the output
# with the largest value is the network's guess.
# Every node is linked to every node of the next layer, each link with its own weight.
#
# Each hidden and output node also adds one number of its own to its weighted sum,
# before the sigmoid: its *bias*. It shifts where the node switches on, so a node can
# fire even when its inputs are weak, or stay quiet when they are strong. Weights and
# :term:`biases <bias>` are the network's :term:`parameters <parameter>`, the numbers
# training adjusts, as section 1's machine had its one ``c``. Expect 158,800 weights
# (784 x 200 + 200 x 10) and 210 biases (200 + 10): 159,010 parameters in all.

from mnisttutor.classifier import IMAGE_PIXELS, NUM_CLASSES

HIDDEN = 200
weights = IMAGE_PIXELS * HIDDEN + HIDDEN * NUM_CLASSES
biases = HIDDEN + NUM_CLASSES
print(f"layers: {IMAGE_PIXELS} - {HIDDEN} - {NUM_CLASSES}")
print(f"{weights:,} weights and {biases} biases to learn: {weights + biases:,} parameters")

# %%
# Drawing the network
# -------------------
# Far too many nodes to draw them all: each layer shows a sample of its nodes, with
# the real count below. Every drawn node is linked to every drawn node of the next
# layer. The picture is one call to :func:`mnisttutor.plots.draw_network`.

import matplotlib.pyplot as plt

from mnisttutor import plots

plots.draw_network(
    [IMAGE_PIXELS, HIDDEN, NUM_CLASSES], names=["input (pixels)", "hidden", "output (digits)"]
)
plt.show()

# %%
# From error to loss, and its gradient
# -------------------------------------
# Training changes each weight to make the error smaller. With many outputs and many
# examples, the network's errors are combined into one number that measures how wrong
# it is overall; that number is called the :term:`loss`. Training means making the loss small.
#
# Picture the loss as a curve over one weight. The slope of the curve where the weight
# is now is the *gradient*: how much the loss changes when the weight grows a little
# (positive: the loss goes up, so make the weight smaller). :term:`Gradient descent` starts
# somewhere, finds the gradient there, and steps downhill by
# ``learning rate x gradient``, the learning rate being section 1's fraction of a step.
# The network above has 159,010 parameters, and gradient descent does this for all of
# them at once, each with its own gradient.
#
# Below, a made-up loss curve for one weight, with two valleys. ``gradient`` finds its
# slope the way you would on a graph: it reads the loss a tiny distance either side of
# ``w`` (``step``, a millionth) and divides the rise between the two by the distance
# between them. (PyTorch works gradients out exactly instead, as section 3 shows.)


import numpy as np


def loss(w):
    """A made-up loss curve with two valleys, for one weight w."""
    return (w - 2) ** 2 / 4 + 0.3 * np.sin(3 * w) + 1


def gradient(w):
    """The slope of the loss at w: rise over run between two points just either side."""
    step = 0.000001
    return (loss(w + step) - loss(w - step)) / (2 * step)


def descend(w, learning_rate, steps):
    """Take that many steps downhill from w; return every w visited."""
    path = [w]
    for _ in range(steps):
        w = w - learning_rate * gradient(w)
        path.append(w)
    return np.array(path)


# %%
# Steps down the curve
# --------------------
# Small steps creep down reliably but slowly; larger ones get there faster but can
# overshoot. Where the curve is nearly flat the slope is small, so each step is small
# too: the path with the smallest rate, 0.1, is still crawling across the flat stretch
# after its 15 steps, short of the valley. A path that reaches the bottom stops in the
# valley it headed into, which may not be the lowest: the one from the right settles in
# the shallower valley.

w_axis = np.linspace(-1.5, 5, 400)
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.plot(w_axis, loss(w_axis), "k", lw=1.5, label="loss(w)")
for start, rate, colour in ((-1.2, 0.1, "C0"), (-1.2, 0.5, "C1"), (4.5, 0.2, "C2")):
    path = descend(start, rate, steps=15)
    ax.plot(path, loss(path), "o-", c=colour, ms=4, label=f"from {start}, rate {rate}")
    print(f"start {start:+.1f}, rate {rate}: w -> {path[-1]:.3f}, loss {loss(path[-1]):.3f}")
ax.set(xlabel="weight w", ylabel="loss", title="Gradient descent: 15 steps downhill")
ax.legend()
ax.grid(alpha=0.3)
plt.show()
