"""
Learning c from many examples
=============================

Goal: replace our hand-tuning with a rule the machine applies by itself. For each true
example it measures its error and moves ``c`` a fraction of the way that would have
removed the error. Over many examples ``c`` settles on the true conversion.
"""

# %%
# Examples to learn from
# ----------------------
# Sixty random distances between 1 and 200 km, each with its true value in miles: sixty
# questions with their answers. A seeded generator makes the run repeatable (the same
# "random" numbers every time).

import numpy as np

KM_TO_MILES = 0.621371
rng = np.random.default_rng(seed=0)
distances = rng.uniform(1, 200, size=60)
true_miles = KM_TO_MILES * distances
print(f"{len(distances)} examples, e.g. {distances[0]:.1f} km = {true_miles[0]:.2f} miles")

# %%
# The update rule
# ---------------
# If ``c * km`` misses by ``error``, the ``c`` that would have been exactly right is
# ``c + error / km``. Jumping all the way there lets the last example wipe out what the
# others taught, so we move only a fraction of the way. That fraction is the *learning
# rate*: 0.2 here, a fifth of the way. One step, on the first example:

LEARNING_RATE = 0.2
c = 0.5
km, miles = distances[0], true_miles[0]
error = miles - c * km
c = c + LEARNING_RATE * error / km
print(f"error {error:.2f} miles, so c moves from 0.5 to {c:.6f}")

# %%
# Learning from every example
# ---------------------------
# The same step, as a function, applied to each example in turn. One pass through all
# the examples is called an :term:`epoch`; this is one epoch of 60 examples. The list
# ``history`` keeps ``c`` and the error after each step, for the plots below.


def learn(c, km, miles, learning_rate):
    """One learning step: nudge c towards removing this example's error."""
    error = miles - c * km
    return c + learning_rate * error / km, error


c = 0.5
history = [(c, np.nan)]  # (c, error as % of the true answer); no error before any step
for km, miles in zip(distances, true_miles):
    c, error = learn(c, km, miles, LEARNING_RATE)
    history.append((c, 100 * error / miles))
print(f"first error: {history[1][1]:.1f}% of the true answer, last: {history[-1][1]:.6f}%")
print(f"after {len(distances)} examples: c = {c:.6f} (truth {KM_TO_MILES})")

# %%
# c converges, and the error falls
# --------------------------------
# Above: ``c`` after each example, approaching the true value. Below: the error on each
# example, as a percentage of the true answer so that long and short distances compare,
# on a :term:`log scale`: each gridline up is ten times the one below it, so errors of
# very different sizes fit on one chart. On that scale the error falls along a straight
# line: every step removes the same fraction (the :term:`learning rate`) of what is left.

import matplotlib.pyplot as plt

cs, errors = np.array(history).T
fig, (top, bottom) = plt.subplots(2, 1, figsize=(6.4, 7))  # stacked: legible on a phone
top.plot(cs, ".-", label="learned c")
top.axhline(KM_TO_MILES, color="k", ls="--", label=f"true c = {KM_TO_MILES}")
top.set(xlabel="examples seen", ylabel="c", title="The parameter converges")
top.legend()
bottom.semilogy(np.abs(errors), ".-", color="C3")
bottom.set(xlabel="example", ylabel="|error| as % of the true answer", title="The error falls")
for ax in (top, bottom):
    ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %%
# How big a step?
# ---------------
# The learning rate trades speed for stability. Too small and ``c`` creeps; 1.0 jumps
# straight to each example's answer (fine here, where every example agrees, but not when
# the examples are noisy); above 1 each step overshoots, and above 2 it diverges.
#
# Why 0.2 and 1.8 end on the same number (the printout below shows it): every step
# multiplies the distance between ``c`` and the true value by ``1 - learning rate``. For
# 0.2 that is 0.8, so ``c`` creeps up from below. For 1.8 it is -0.8: the same size, but
# the sign flips, so ``c`` jumps past the true value and back, closing in just as fast.
# After an even number of steps, 30 here, the two land on the same side at the same
# distance. Above 2 the factor is bigger than 1 in size, and each step lands further
# away than the last.

fig, ax = plt.subplots(figsize=(7, 4))
for rate in (0.05, 0.2, 1.0, 1.8):
    c, trace = 0.5, [0.5]
    for km, miles in zip(distances[:30], true_miles[:30]):
        c, _ = learn(c, km, miles, rate)
        trace.append(c)
    ax.plot(trace, ".-", label=f"learning rate {rate}")
    print(f"learning rate {rate:4}: c after 30 examples = {c:.6f}")
ax.axhline(KM_TO_MILES, color="k", ls="--", label="the true c")
ax.set(xlabel="examples seen", ylabel="c", title="Different step sizes")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# sphinx_gallery_thumbnail_number = 1
