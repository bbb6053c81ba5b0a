"""
A machine with one parameter
============================

Goal: see what "learning" means in the smallest possible case. A machine converts
kilometres to miles as ``miles = c * km``. The number ``c`` is the machine's
*parameter*: the one thing about it we can adjust. We do not tell it the right ``c``; we
show it one true example, measure how wrong it is, and adjust ``c`` by hand.
"""

# %%
# The true conversion
# -------------------
# One kilometre is 0.621371 miles, so 100 km is 62.1371 miles. This is the example the
# machine learns from: one question (100 km) with its true answer.

KM_TO_MILES = 0.621371
km = 100.0
true_miles = KM_TO_MILES * km
print(f"{km:g} km is {true_miles:.4f} miles")

# %%
# A first guess: c = 0.5
# ----------------------
# The machine starts with ``c = 0.5``. We compare its answer with the true one. The
# difference, the true answer minus the machine's, is the machine's *error*: how far off
# it is, and in which direction. Expect 50 miles, and an error of a little over 12
# miles: positive, because the answer was too small.


def machine(km, c):
    """The whole model: one multiplication."""
    return c * km


c = 0.5
guess = machine(km, c)
error = true_miles - guess
print(f"c = {c}: {km:g} km -> {guess:g} miles, error = {error:.4f}")

# %%
# Adjusting c by hand
# -------------------
# The answer was too small, so the error is positive: make ``c`` bigger. At 0.6 the
# error shrinks to about 2.14 miles; at 0.7 we overshoot and the error turns negative.
# The size and the sign of the error tell us which way to move ``c``, and roughly how
# far. Changing a machine's adjustable numbers to make its error smaller is what
# *learning* means here; the next page lets the machine do it itself.

for c in (0.5, 0.6, 0.7, 0.61):
    guess = machine(km, c)
    print(f"c = {c:<4}: {guess:6.2f} miles, error = {true_miles - guess:+8.4f} miles")

# %%
# Seeing the guesses
# ------------------
# Each ``c`` is a straight line through zero. The true line goes through the example
# (100 km, 62.1371 miles); the guesses fan out around it.

import matplotlib.pyplot as plt
import numpy as np

distances = np.linspace(0, 120, 2)
fig, ax = plt.subplots(figsize=(7, 4.5))
for c in (0.5, 0.6, 0.7):
    ax.plot(distances, machine(distances, c), "--", label=f"guess c = {c}")
ax.plot(distances, KM_TO_MILES * distances, "k", lw=2, label=f"truth c = {KM_TO_MILES}")
ax.plot([km], [true_miles], "ko", ms=8)
ax.annotate(
    f"example: {km:g} km = {true_miles:.4f} miles",
    (km, true_miles),
    xytext=(-12, 12),
    ha="right",
    textcoords="offset points",
)
ax.set(xlabel="kilometres", ylabel="miles", title="One parameter, several guesses")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %%
# Play with the machine
# ---------------------
# .. only:: html
#
#    The machine to play with, in your browser. Set ``c`` with the slider or type it, and
#    see the machine's answer for 100 km and its error. **Learn from this example**
#    applies the update rule of the next page, :doc:`plot_02_learning_loop`: ``c`` moves
#    a fifth of the way (the learning rate, 0.2) to the value that would have removed the
#    error. Press it a few times and watch ``c`` approach 0.621371. The numbers above came
#    from this page's Python; this is only to play with.
#
#    .. raw:: html
#
#       <div class="km-machine" id="km-machine" data-km="100" data-truth="0.621371"
#            data-rate="0.2" data-start="0.5"><p>The machine needs JavaScript.</p></div>
#       <script src="../../_static/km/km.js"></script>
#
# .. only:: notebook
#
#    This walkthrough's page on the mnisttutor website has the machine to play with, in
#    the browser: a slider for ``c``, and a button that applies the update rule of the
#    next walkthrough, :doc:`plot_02_learning_loop`, to the example.
#
# A note on the original
# ----------------------
# The :term:`original tutorial` writes the true answer as 62.127 in two places, a typo for
# 62.137 (100 km is 62.1371 miles), the figure its error of 2.137 at ``c = 0.6`` comes
# from.
