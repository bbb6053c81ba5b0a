"""
Tensors and automatic gradients
===============================

Goal: compute ``y = (x - 1)(x - 2)(x - 3)`` at ``x = 3.5`` with a PyTorch tensor, let
PyTorch find the :term:`gradient` ``dy/dx`` (how fast ``y`` changes as ``x`` changes:
its slope) for us, check it against the slope worked out by hand, and look at the
computation graph PyTorch recorded to get it.
"""

# %%
# A tensor is a number that can remember
# --------------------------------------
# PyTorch keeps numbers in :term:`tensors <tensor>`. A tensor can hold one number, a
# list of them, a table (like a 28 x 28 image), or more dimensions; it behaves like a
# number or a :term:`NumPy array`. Made with :pt:`torch.tensor` and
# ``requires_grad=True``, it also records every operation that uses it, so that PyTorch
# can later work out gradients (section 2's slopes) for it.

import torch

a = torch.tensor(3.5)
print(a, a + 3)

x = torch.tensor(3.5, requires_grad=True)
print(x)

# %%
# Computing y
# -----------
# ``y`` depends on ``x``. Expect y = 1.875 (the :term:`original tutorial`'s figure):
# 2.5 x 1.5 x 0.5. Its ``grad_fn`` is the record of the last operation that produced it,
# a multiplication: the start of the recorded graph. PyTorch names each record for its
# operation and the way back through it: ``MulBackward0`` is the backward step of a
# multiplication (Mul), ``SubBackward0`` of a subtraction (Sub). The ``0`` only tells
# apart PyTorch's variants of the same operation.

y = (x - 1) * (x - 2) * (x - 3)
print(f"y = {y.item():.4f}")
print(f"y.grad_fn is a {type(y.grad_fn).__name__}")

# %%
# The gradient, automatically
# ---------------------------
# PyTorch's automatic gradients, :term:`autograd`, do the rest.
# :pt:`y.backward() <torch.Tensor.backward>` walks the graph backwards, multiplying the
# slopes of the steps it recorded (the *chain rule*: when y is made from x in steps, the
# slope of y is the product of the steps' slopes), and stores ``dy/dx`` in
# :pt:`x.grad <torch.Tensor.grad>`. Expect 5.75, as the :term:`original tutorial`
# prints: where ``x`` is 3.5, ``y`` grows 5.75 times as fast as ``x``.

y.backward()
gradient = x.grad
print(f"x.grad = {gradient.item():.4f}")

# %%
# Checking by hand
# ----------------
# If you know some calculus, this checks autograd; if not, skip ahead to the graph. The
# slope of a formula is its :term:`derivative`. Multiplied out, y = x³ - 6x² + 11x - 6,
# and the rule for powers (the slope of xⁿ is n xⁿ⁻¹) gives dy/dx = 3x² - 12x + 11. At
# x = 3.5 that gives the same number as autograd.

x_value = x.item()
by_hand = 3 * x_value**2 - 12 * x_value + 11
print(f"3x^2 - 12x + 11 at x = {x_value}: {by_hand:.4f}")
print(f"autograd agrees with the hand derivative: {abs(gradient.item() - by_hand) < 1e-6}")

# %%
# What the gradient means
# -----------------------
# The gradient is the slope of ``y`` at ``x``: the tangent line touches the curve
# there. Training uses exactly this, with the loss in place of ``y`` and a weight in
# place of ``x``: the gradient says which way to move the weight, and how steeply.

import matplotlib.pyplot as plt

xs = torch.linspace(0.5, 4, 200)
ys = (xs - 1) * (xs - 2) * (xs - 3)
slope, y0 = gradient.item(), y.item()
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
# To compute ``y``, PyTorch recorded each operation as a node of a graph: three
# subtractions and two multiplications. Each node lists the nodes that fed it in its
# ``next_functions``, each as a pair: the node, and a number that does not matter here
# (``_`` below, Python's name for a value we ignore). ``y.grad_fn``, the last
# multiplication, was fed by the first multiplication and by the subtraction ``x - 3``:

last = y.grad_fn
fed_by = [type(node).__name__ for node, _ in last.next_functions]
print(f"{type(last).__name__} was fed by: {', '.join(fed_by)}")

# %%
# Drawing it
# ----------
# Following ``next_functions`` from node to node, from ``y`` down to ``x``, gives the
# whole graph that ``backward()`` walked; :func:`mnisttutor.plots.draw_autograd_graph`
# draws it. Each box names the node and says what it computed, with the number it
# produced: the three subtractions are ``x - 1``, ``x - 2`` and ``x - 3``. At the bottom,
# ``AccumulateGrad`` is where the gradient lands in ``x.grad``. The arrows point up, the
# way the numbers flowed forwards; ``backward()`` runs down them, from ``y`` to
# ``x.grad``, multiplying the slopes on the way.
#
# ``backward()`` frees the numbers the graph kept along the way (it has used them), so
# to show them we compute ``y`` once more and draw the graph of that.

from mnisttutor import plots

y_again = (x - 1) * (x - 2) * (x - 3)
plots.draw_autograd_graph(y_again)
plt.show()

# sphinx_gallery_thumbnail_number = 2
