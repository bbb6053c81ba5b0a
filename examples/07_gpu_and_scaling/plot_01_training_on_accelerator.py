"""
Training on a GPU, and when it pays
===================================

Goal: find out when a GPU makes the tutorial's training faster. The original tutorial
trained on Colab's Tesla T4 GPU and found it barely faster than Colab's CPU: about 2
minutes for its 3 epochs, against about 3. This page follows the original's story in its
order: one image at a time, a bigger network, many images at once, and last a big
matrix product, where a GPU is at its best. Every comparison is a ratio that the page
prints, in words.
"""

# %%
# What this page ran on
# ---------------------
# *This machine*, below, is the one that ran this page: for the website, the machine
# that built it; for a downloaded notebook, yours. The GPU figures were recorded on an
# NVIDIA H200 by the project's benchmarks (``benchmarks/gpu.sh`` in the repository) and
# ship with the package. They are labelled *recorded*, with the device and the date.
#
# .. only:: html
#
#    To time a GPU yourself, open this page's notebook in :term:`Colab`: download it
#    (the links at the bottom of the page) and upload it there, or press *Open in Colab*
#    where this site shows one. Choose **Runtime > Change runtime type**, pick a GPU such
#    as the T4, and run all the cells: the notebook then measures your GPU too.

import torch

from mnisttutor import best_device, describe_device

accelerator = best_device() if best_device().type != "cpu" else None
devices = [torch.device("cpu")] + ([accelerator] if accelerator else [])
for device in devices:
    print(f"this machine: {describe_device(device)}")
if accelerator is None:
    print("No GPU or other accelerator here: only the CPU was measured.")

# %%
# One image at a time
# -------------------
# The original moved its training to the GPU with two changes, and so does this cell:
# the network goes to the device with :pt:`.to(device) <torch.nn.Module.to>`, and the
# data with :meth:`MnistDataset.to <mnisttutor.MnistDataset.to>`. The training loop
# stays the same. A :class:`~mnisttutor.timing.Stopwatch` times it, waiting for the GPU
# to finish its queued work before it reads the clock.
#
# The project's benchmark ran these lines on the H200, a GPU far newer and bigger than
# the original's T4, and it took 3.4 minutes: longer than the T4 took. One image at a
# time, a bigger GPU does not help. The rest of this page shows why, and what does.

from mnisttutor import Classifier, MnistDataset, evaluate, fetch_mnist_csv, train_per_sample
from mnisttutor.results import RECORDED, recorded_rows
from mnisttutor.timing import Stopwatch

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset, mnist_test_dataset = MnistDataset(train_csv), MnistDataset(test_csv)
if accelerator is not None:
    C = Classifier().to(accelerator)
    mnist_dataset.to(accelerator)
    with Stopwatch(accelerator) as watch:
        train_per_sample(C, mnist_dataset, epochs=3, progress=False)
    mnist_dataset.to("cpu")
    print(f"this machine's {accelerator.type}: 3 epochs in {watch.seconds:.1f} s")
(h200_run,) = recorded_rows(RECORDED, "gpu-cuda.json", benchmark="training")
seconds, steps = h200_run["seconds"], h200_run["epochs"] * h200_run["images"]
print(f"recorded on {h200_run['recorded']}: 3 epochs, one image at a time,")
accuracy = h200_run["test_accuracy"]
print(f"  {seconds:.1f} s ({seconds / 60:.1f} minutes), test accuracy {accuracy:.2%}")
print(f"  {seconds / steps * 1e6:,.0f} µs a step, on average over its {steps:,} steps")

# %%
# How much slower than a CPU?
# ---------------------------
# :func:`~mnisttutor.profiling.time_per_step` times one step of the tutorial's network,
# ``Classifier.train`` on one image, the way the benchmark timed it on the H200: the
# best of three rounds (of 100 steps here, 300 there). The CPU works on one :term:`thread`
# (:func:`~mnisttutor.cpu_threads`), as the benchmark's did: a step this small gains
# nothing from more. So a step's time depends on how fast one core is, not on how many
# a machine has: a laptop's CPU can beat a big server's here. The fairest comparison for
# the H200 is the CPU of its own machine.
# This cell times bigger networks too, for later.

from mnisttutor import cpu_threads
from mnisttutor.profiling import time_per_step
from mnisttutor.results import how_much_faster

OURS, GPU = "this machine's CPU", "the H200 (recorded)"
HOST = "the H200 machine's CPU (recorded)"


def where(row):
    """A recorded row's device, as this page names it."""
    return HOST if row["device"] == "cpu" else GPU


HIDDEN = [200, 500, 1000, 2000, 3000, 5000]
images, targets = mnist_dataset.images[:100], mnist_dataset.targets[:100]
curves = {}  # seconds per step, by device and hidden size
with cpu_threads(1):
    for d in devices:
        seconds_per_step = time_per_step(HIDDEN, d, images, targets)
        curves[f"this machine's {d.type.upper()}"] = seconds_per_step
for name in ["scaling-cpu-h200-host.json", "scaling-cuda.json"]:
    for row in recorded_rows(RECORDED, name):
        curves.setdefault(where(row), {})[row["hidden"]] = row["us_per_step"] / 1e6
ours, host, h200 = curves[OURS], curves[HOST], curves[GPU]
for label, times in curves.items():
    print(f"{label:35} {times[200] * 1e6:6,.0f} µs a step, 200 hidden nodes")
print("the H200 was", how_much_faster(h200[200], than=host[200], name="its machine's CPU"))
print("  and", how_much_faster(h200[200], than=ours[200], name="this machine's CPU"))
story = {"one image's step, 200 hidden nodes": (h200[200], host[200], ours[200])}

# %%
# Why: the hand-over
# ------------------
# A training step is a few dozen small operations, one after another (section 8 counts
# them). A GPU does not start them by itself: the CPU prepares each operation and hands
# it over, and each hand-over costs microseconds, however little work it carries. With
# 200 hidden nodes the GPU finishes an operation almost as soon as it arrives, so a
# step's time is mostly hand-overs, and a faster GPU cannot shorten it.
#
# The benchmark put this to the test with section 8's hand-written step: the same
# maths in about a dozen operations, without autograd. It ran it on the H200 twice:
# handed over one operation at a time, and as a *CUDA graph*, the step's operations
# recorded once and then handed to the GPU in one go, one hand-over a step instead of a
# dozen. Same sums, same weights afterwards:

graph = {}  # the hand-written step's row, by how it was handed over
for row in recorded_rows(RECORDED, "gpu-cuda.json", benchmark="per_image_step"):
    graph[row["mode"]] = row
eager_us, graph_us = graph["eager"]["us_per_image"], graph["cuda_graph"]["us_per_image"]
print(f"recorded on {graph['eager']['recorded']}, the hand-written step:")
print(f"  one operation at a time: {eager_us:6.1f} µs")
print(f"  as one CUDA graph:       {graph_us:6.1f} µs")
gap = graph["cuda_graph"]["max_weight_difference"]
print(f"  largest difference between their weights afterwards: {gap}")
print(f"one hand-over instead of a dozen: {how_much_faster(graph_us, than=eager_us)}")

# %%
# The H200's step, timed four ways
# --------------------------------
# This page now shows four recorded times for one H200 step. The CUDA graph's is the
# shortest, as it hands the whole step over in one go; the other three hand it over one
# operation at a time. The hand-written step
# (240 µs) is shorter than the tutorial's (1,357 µs) because it is a dozen operations
# instead of a few dozen: no autograd, no loss or optimiser objects. The whole
# training's average step (1,138 µs) is a sixth shorter than the tutorial's step timed
# alone. The benchmark timed the two minutes apart, and a step made of hand-overs takes
# as long as the CPU needs for them at that moment: the H200's line below wanders by a
# fifth while its work hardly changes.
# :doc:`Section 8 <../08_performance/plot_01_what_a_step_costs>` sets every recorded
# timing of this step side by side.
#
# A bigger network
# ----------------
# The original's next lesson. From 200 hidden nodes to 5,000, a step has 25 times the
# weights, and 25 times the sums. On a CPU, the time grows with the sums, if by less
# than 25 times: every step also pays for its few dozen operation calls, which cost the
# same at any size. On a GPU, a motorway with thousands of lanes in section 4's picture,
# 5,000 nodes' sums still leave most of its lanes idle, and a step is the same few dozen
# hand-overs, so its time hardly moves. Where the lines cross, the GPU starts to win.
# Times in µs per step:

import pandas as pd

from mnisttutor.results import crossing

story["one image's step, 5,000 hidden nodes"] = (h200[5000], host[5000], ours[5000])
pd.DataFrame(curves).mul(1e6).round().astype(int).rename_axis("hidden nodes")

# %%
# The lines
# ---------
# Solid lines were measured on this machine, dashed ones recorded; CPUs are blue and
# GPUs orange.
#
# .. only:: html
#
#    To draw these lines for your own computer, its CPU against its GPU, open
#    :ref:`your machine's graph <machine-graph>` on the Train it yourself page: it
#    measures in your browser, with nothing to install.

import matplotlib.pyplot as plt

print(f"5000 hidden nodes against 200: {5000 / 200:.0f} times the weights, and a step")
for label, times in curves.items():
    print(f"  {how_much_faster(times[5000], than=times[200])} on {label}")
for label, times in [("its own machine's CPU", host), ("this machine's CPU", ours)]:
    if between := crossing(list(times.items()), list(h200.items())):
        print(f"the H200 overtakes {label} between {between[0]} and {between[1]} nodes")

fig, ax = plt.subplots(figsize=(4.8, 3.6), layout="constrained")
for label, times in curves.items():
    # CPUs blue and GPUs orange, solid where measured here and dashed where recorded, as
    # in the graph of your own machine on the Train it yourself page.
    style = "s--" if label.endswith("(recorded)") else "o-"
    colour = "C0" if "CPU" in label else "C1"
    ax.plot(list(times), [s * 1e6 for s in times.values()], style, color=colour, label=label)
ax.set(xlabel="hidden nodes", ylabel="µs per step", ylim=(0, None))
ax.set_title("One image's step as the network grows", fontsize=11)
ax.legend(fontsize=9)
ax.grid(alpha=0.3)
plt.show()

# %%
# Many images at once
# -------------------
# A GPU shines when each operation is big, and the easiest way to make operations big
# is to train on many images at once: a *mini-batch*.
# :func:`~mnisttutor.train_minibatch` gives the network ``batch_size`` images a step,
# so each matrix product does all their sums together, and one hand-over carries the
# work of ``batch_size`` images. The loss is the mean over the batch, so the
# :term:`learning rate` grows with the batch, to keep each image's share of a step at
# the tutorial's 0.01. Here are the tutorial's 3 epochs on this machine. Its CPU works
# on one thread again: on a small or busy machine, threads waiting for each other can
# cost more than they save, even on mini-batches.

from mnisttutor import train_minibatch

BATCHES = {100: 1.0, 1000: 10.0}  # images a step: learning rate
minibatch = {}  # seconds, by device and images a step
for device in devices:
    mnist_dataset.to(device)
    for batch_size, lr in BATCHES.items():
        torch.manual_seed(0)
        C = Classifier(lr=lr).to(device)
        with cpu_threads(1), Stopwatch(device) as watch:
            train_minibatch(C, mnist_dataset, 3, batch_size=batch_size, progress=False)
        minibatch[device.type, batch_size] = watch.seconds
        accuracy = evaluate(C, mnist_test_dataset)
        took = f"{watch.seconds:.2f} s, test accuracy {accuracy:.2%}"
        print(f"this machine's {device.type.upper()}, {batch_size:5,} images a step: {took}")
mnist_dataset = mnist_dataset.to("cpu")

# %%
# Many images at once, recorded
# -----------------------------
# The benchmark trained the same mini-batches on the H200 and on all 16 cores of its
# machine's CPU. At 100 images a step the operations are still small, and the CPU wins.
# At 1,000 the GPU's lanes fill, and it pulls ahead. At 10,000 it pulls further ahead,
# but the learning rate, grown to 100 to match, is so large that each step overshoots:
# the network learned nothing, and its 9.80% is what guessing scores.

rows = recorded_rows(RECORDED, "minibatch-sweep-cuda.json")
sweep, scored = {}, {}  # by images a step: seconds by device; lr and accuracy
for row in rows:
    sweep.setdefault(row["batch_size"], {})[where(row)] = row["seconds"]
    lr, accuracy = row["lr"], row["test_accuracy"]
    scored[row["batch_size"]] = f"learning rate {lr:g}, test accuracy {accuracy:.2%}"
for label in dict.fromkeys(row["recorded"] for row in rows):
    print(f"recorded on {label}")
for batch_size, times in sweep.items():
    faster = how_much_faster(times[GPU], than=times[HOST], name="its own machine's CPU")
    print(f"{batch_size:6,} images a step, {scored[batch_size]}:")
    print(f"        the H200 was {faster}")
h200_batch, host_batch = sweep[1000][GPU], sweep[1000][HOST]
faster = how_much_faster(h200_batch, than=seconds)
print(f"the H200, 1,000 images a step against one image a step: {faster}")
ours_batch = minibatch["cpu", 1000]
story["3 epochs, 1,000 images a step"] = (h200_batch, host_batch, ours_batch)
print("3 epochs, in seconds:")
pd.DataFrame(sweep).T.rename_axis("images a step")

# %%
# A big matrix product: the motorway full
# ---------------------------------------
# Section 4 timed a matrix product, the work a layer does, as the matrices grew. A
# product of two 2048 x 2048 matrices is millions of independent sums in one operation,
# with one hand-over: the work the motorway was built for.

from mnisttutor.timing import best_time

a, b = torch.rand(2048, 2048), torch.rand(2048, 2048)
matmul = {OURS: best_time(torch.matmul, a, b, rounds=3)}
for row in recorded_rows(RECORDED, "gpu-cuda.json", benchmark="matmul", size=2048):
    matmul[where(row)] = row["seconds"]
for label, product_seconds in matmul.items():
    print(f"{label:35} {product_seconds * 1e3:7.3f} ms")
story["one 2048 x 2048 matrix product"] = (matmul[GPU], matmul[HOST], matmul[OURS])

# %%
# The story in one table
# ----------------------
# How the recorded H200 compared, in the original's order: slower one image at a time,
# faster as each operation's work grows. The CPUs worked on one thread for the steps,
# and for the mini-batches on this machine; the H200 machine's CPU trained its
# mini-batches on all its 16 cores, and both CPUs used all their cores for the matrix
# product.

pd.DataFrame(
    {
        work: {
            "the H200 against its own machine's CPU": how_much_faster(gpu, than=cpu),
            "against this machine's CPU": how_much_faster(gpu, than=ours),
        }
        for work, (gpu, cpu, ours) in story.items()
    }
).T
