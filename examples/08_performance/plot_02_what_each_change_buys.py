"""
What each change buys
=====================

Goal: train the tutorial's network with the same steps and the same maths along five
paths, each meant to be faster than the one before, and measure what each change buys
(not every change pays on every machine); then take mini-batches, which change the
steps themselves. :doc:`The previous page <plot_01_what_a_step_costs>` showed where
a step's time goes; this page removes it piece by piece.
"""

# %%
# The paths
# ---------
# Six ways to train, each a function that trains the network it is given on the first
# ``IMAGES`` training images (all of them, for mini-batches):
#
# * **original**: the published code: the pandas ``__getitem__`` of the previous page,
#   then the module step;
# * **tensor dataset**: :func:`~mnisttutor.train_per_sample`, the same module step fed
#   from :class:`~mnisttutor.MnistDataset`, as section 6 trains;
# * **hand-written**: :func:`~mnisttutor.train_per_sample_fast` with
#   :func:`~mnisttutor.sgd_step`: the same gradients worked out by hand, a
#   dozen tensor operations, no autograd graph and no optimiser object;
# * **compiled**: that step compiled by :pt:`torch.compile`;
# * **fast**: :func:`~mnisttutor.train_per_sample_fast` as it comes: the whole loop over
#   the images compiled to machine code by numba, skipping each image's blank pixels,
#   whose terms are zero anyway;
# * **mini-batches**: :func:`~mnisttutor.train_minibatch`, 64 images per step, with
#   the refined network of section 9 (:class:`~mnisttutor.RefinedClassifier`).
#
# Everything runs on the CPU, on one :term:`thread`, as on the previous page.

import torch

from mnisttutor import MnistDataset, fetch_mnist_csv
from mnisttutor.profiling import OriginalMnistDataset

threads = torch.get_num_threads()  # given back before the full runs below
torch.set_num_threads(1)
train_csv, test_csv = fetch_mnist_csv()
mnist_dataset, mnist_test_dataset = MnistDataset(train_csv), MnistDataset(test_csv)
original_dataset = OriginalMnistDataset(train_csv)
IMAGES = 3000
first_images = mnist_dataset.head(IMAGES)  # the first 3,000 images, as a dataset
print(f"blank pixels in the training images: {(mnist_dataset.images == 0).float().mean():.1%}")

# %%
# Compiling, once
# ---------------
# :pt:`torch.compile` turns :func:`~mnisttutor.sgd_step` into generated C++ the first
# time it is called in a Python process. numba compiles the fast path's loop to machine
# code the first time it runs, and keeps the result in a cache on disk: a later process
# loads it instead of compiling again, and a process that already ran the loop has it
# ready. Either way the cost comes once, so it is timed here on its own, on one image,
# and not in the comparison. When this site is built, section 6 has already run the fast
# path in the same process, so numba's line below shows next to no time.

import time

from mnisttutor import Classifier, train_per_sample, train_per_sample_fast
from mnisttutor.training import sgd_step

one_image = mnist_dataset.head(1)
compiled_step = torch.compile(sgd_step, fullgraph=True, dynamic=False)
start = time.perf_counter()
train_per_sample_fast(Classifier(), one_image, 1, step=compiled_step, progress=False)
print(f"torch.compile took {time.perf_counter() - start:.1f} s, once")
start = time.perf_counter()
train_per_sample_fast(Classifier(), one_image, 1, progress=False)
print(f"numba's loop was ready (compiled, or loaded) in {time.perf_counter() - start:.1f} s")

# %%
# The per-image paths, as functions
# ---------------------------------
# Each takes a network and trains it on the first ``IMAGES`` images, one per step.


def original(C):
    """The tutorial's loop, reading every image through pandas."""
    for i in range(IMAGES):
        _, image, target = original_dataset[i]
        C.train(image, target)


def tensor_dataset(C):
    train_per_sample(C, first_images, 1, progress=False)


def hand_written(C):
    train_per_sample_fast(C, first_images, 1, step=sgd_step, progress=False)


def compiled(C):
    train_per_sample_fast(C, first_images, 1, step=compiled_step, progress=False)


def fast(C):
    train_per_sample_fast(C, first_images, 1, progress=False)


paths = {
    "original": original,
    "tensor dataset": tensor_dataset,
    "hand-written": hand_written,
    "compiled": compiled,
    "fast": fast,
}

# %%
# Timing them
# -----------
# :func:`~mnisttutor.profiling.time_in_turns` gives every path a fresh copy of the
# same starting weights, three times, the paths taking turns, so a busy moment on the
# machine slows one round of one path rather than its result; each path's fastest
# round is kept.

from mnisttutor.profiling import time_in_turns

torch.manual_seed(0)
start_weights = Classifier().state_dict()  # every path starts from these


def fresh():
    """A tutorial network with the shared starting weights."""
    C = Classifier()
    C.load_state_dict(start_weights)
    return C


best, trained = time_in_turns(paths, fresh, rounds=3)
us_per_image = {name: seconds / IMAGES * 1e6 for name, seconds in best.items()}
for name, us in us_per_image.items():
    print(f"{name:15} {us:8.1f} µs per image")

# %%
# Same steps, same weights
# ------------------------
# Faster is only worth having if it computes the same thing. All the per-image paths
# took the same steps from the same start, so their weights should agree to rounding.

reference = trained["tensor dataset"]
for name, C in trained.items():
    gap = 0.0
    for mine, theirs in zip(C.parameters(), reference.parameters()):
        gap = max(gap, (mine - theirs).abs().max().item())
    print(f"{name:15} largest weight difference from 'tensor dataset': {gap:.1e}")

# %%
# Mini-batches
# ------------
# One pass over all 60,000 images, 64 at a time, with the refined network's layers and
# its learning rate (the recipe of section 9), timed the same way.
#
# This path differs from the others in two ways, so its time can land either side of the
# fast path's. It gains by doing 64 images' arithmetic in each large operation, so the
# price of calling an operation is paid once per 64 images instead of once per image.
# But it trains a bigger network (a normalisation layer and the Adam optimiser, more
# work per image) with PyTorch's general-purpose operations, which cannot skip the blank
# pixels the fast path skips. Its fair comparison is with the "tensor dataset" path: the
# same PyTorch machinery, one image at a time. Both comparisons are printed below.

from mnisttutor import RefinedClassifier, train_minibatch
from mnisttutor.results import how_much_faster
from mnisttutor.trained import RECIPE


def one_minibatch_epoch(C):
    train_minibatch(C, mnist_dataset, 1, batch_size=RECIPE["batch_size"], progress=False)


def fresh_refined():
    torch.manual_seed(0)
    return RefinedClassifier(lr=RECIPE["lr"])


minibatch, _ = time_in_turns({"mini-batches": one_minibatch_epoch}, fresh_refined, rounds=1)
us_per_image["mini-batches"] = minibatch["mini-batches"] / len(mnist_dataset) * 1e6
print(f"mini-batches    {us_per_image['mini-batches']:8.1f} µs per image")
for other in ("tensor dataset", "fast"):
    mini_batches, path = us_per_image["mini-batches"], us_per_image[other]
    print("  " + how_much_faster(mini_batches, than=path, name=f"the {other} path"))

# %%
# The table
# ---------
# Time per image on each path, and how many times as fast as the original that is.

import pandas as pd

table = pd.DataFrame({"µs per image": us_per_image})
table["times as fast as the original"] = us_per_image["original"] / table["µs per image"]
table.round(1)

# %%
# The paths as a chart
# --------------------
# Time runs along a :term:`log scale`: each gridline is ten times the one before, so a
# bar one gridline shorter than another took a tenth of the time, not a little less. On
# such a scale a bar's length is not in proportion to its time: read the time written at
# its end.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
bars = ax.barh(list(us_per_image), list(us_per_image.values()))
ax.bar_label(bars, [f"{us:,.1f} µs" for us in us_per_image.values()], padding=3)
ax.set(xscale="log", xlabel="µs per image (log scale)", title="Training paths, one image's worth")
ax.set_xlim(right=max(us_per_image.values()) * 8)  # room for the last bar's label
ax.xaxis.set_major_formatter(lambda value, _: f"{value:,g} µs")  # 100 µs, not 10²
ax.grid(axis="x", alpha=0.3)
ax.invert_yaxis()
plt.show()

# %%
# What each change bought
# -----------------------
# Each line compares a path with the one before it. Feeding the module from tensors
# removes the pandas read. Writing the gradients out by hand removes the autograd
# graph, the module and loss calls and the optimiser's bookkeeping. What is left in
# the hand-written step is mostly the price of calling each of its dozen operations,
# which compiling the step cannot remove: the compiled step is still called from
# Python once per image. Compiling the whole loop removes every per-image call,
# leaving the arithmetic, and only the non-blank pixels' share of it. Whether each
# change bought much on this machine is in the numbers printed here.

names = list(us_per_image)
for i in range(1, len(names)):
    before, after = names[i - 1], names[i]
    faster = how_much_faster(us_per_image[after], than=us_per_image[before], name=before)
    print(f"{after:>15}: {faster}")

# %%
# The whole training, fast
# ------------------------
# The tutorial's whole training -- 3 epochs of 60,000 images, one at a time -- along
# the fast path, scored on the 10,000 test images; and the refined network of section
# 9, trained on mini-batches by its one recipe
# (:func:`mnisttutor.trained.refined_network` trains it once per build and shares it
# with section 9's pages). The original scored about 90%, about 9,000 of the 10,000
# (the original's figure); the fast path takes the same steps, so expect about the
# same here.
#
# Why a whole run's time is not the table's µs per image times its 180,000 images: the
# table keeps the best of three short rounds on one thread, while a whole run includes
# its slower first moments (warm-up) and whatever else the machine was doing meanwhile.
# The mini-batch run uses every thread, as section 9 does. The original path's whole
# run is recorded by the repository's benchmark, below.

from mnisttutor import evaluate
from mnisttutor.trained import refined_network

C = fresh()
start = time.perf_counter()
train_per_sample_fast(C, mnist_dataset, 3, progress=False)
fast_seconds = time.perf_counter() - start
fast_accuracy = evaluate(C, mnist_test_dataset)
print(f"fast per-image path: {fast_seconds:.1f} s, test accuracy {fast_accuracy:.2%}")
torch.set_num_threads(threads)  # mini-batches use every thread
refined = refined_network(mnist_dataset)
print(
    f"the refined network: {refined.seconds:.1f} s of training, "
    f"test accuracy {evaluate(refined.classifier, mnist_test_dataset):.2%}"
)

# %%
# The whole training on every path, recorded
# ------------------------------------------
# Timing the original path for the whole 3 epochs takes minutes, so this page does not
# do it. ``python benchmarks/run.py`` in the repository does: it trains every path for
# the full 3 epochs and writes down the results, with the machine, the date and the
# version of PyTorch. Here is its record, when this page runs inside the repository. It
# was not measured while building this page, and its times belong to the machine it
# names. Its mini-batches are section 9's recipe, 3 epochs of them.

from mnisttutor.results import find_results, recorded_paths

benchmark = recorded_paths(find_results())
if benchmark is None:
    print("No recorded benchmark here (run python benchmarks/run.py in the repository).")
else:
    print(f"recorded on {benchmark.attrs['recorded']}")
benchmark
