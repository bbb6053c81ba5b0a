"""
What a training step costs
==========================

Goal: find out why training the tutorial's small network one image at a time takes
minutes. The original took about 3 minutes for its 3 epochs on Colab's CPU; this page
times where that time goes: reading an image, and each part of one training step.
"""

# %%
# What this page ran on
# ---------------------
# Each timing below was measured while this page was built, on these devices, except
# the figures labelled *recorded*. The timings run on one CPU :term:`thread`
# (:func:`~mnisttutor.cpu_threads`): a step on one image is a chain of tiny operations,
# and threads waiting for each other cost more than they save (section 6 does the same).

import torch

from mnisttutor import best_device, cpu_threads, describe_device

devices = [torch.device("cpu")]
if best_device().type != "cpu":
    devices.append(best_device())
with cpu_threads(1):
    for device in devices:
        print(describe_device(device))
if len(devices) == 1:
    print("No accelerator on the machine that built this page: only the CPU was measured.")

# %%
# The data, two ways
# ------------------
# The original tutorial's dataset kept the CSV as a pandas table and, for every image
# it was asked for, picked the row out with ``.iloc`` and made new tensors. Here is its
# ``__getitem__``, the method that ``dataset[index]`` calls, kept in
# :class:`mnisttutor.profiling.OriginalMnistDataset`: as published, except for the
# ``with`` block that silences, for that one line only, a warning the original ignored.
#
# .. literalinclude:: /../mnisttutor/profiling.py
#    :pyobject: OriginalMnistDataset.__getitem__
#
# The package's :class:`~mnisttutor.MnistDataset` converts the whole file to tensors
# once, so an item is just a look-up.

from mnisttutor import MnistDataset, fetch_mnist_csv
from mnisttutor.profiling import OriginalMnistDataset

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset = MnistDataset(train_csv)
original_dataset = OriginalMnistDataset(train_csv)

# %%
# Reading one image
# -----------------
# :func:`~mnisttutor.timing.best_time` reads image 123 many times each way, calling
# each dataset's ``__getitem__`` as ``dataset[123]`` does, and keeps the best of three
# rounds.

from mnisttutor.timing import best_time

with cpu_threads(1):
    pandas_us = best_time(original_dataset.__getitem__, 123, rounds=3, number=1000) * 1e6
    tensor_us = best_time(mnist_dataset.__getitem__, 123, rounds=3, number=1000) * 1e6
print(f"one image through pandas .iloc:     {pandas_us:7.1f} µs")
print(f"one image from tensors built once:  {tensor_us:7.1f} µs")

# %%
# One training step, part by part
# -------------------------------
# A step of :meth:`Classifier.train <mnisttutor.Classifier.train>` is five parts:
# the forward pass (the network's answer), the loss, ``zero_grad`` (clearing the last
# step's gradients), ``backward`` (the gradients) and the optimiser's ``step`` (the
# update of every weight). :func:`~mnisttutor.profiling.time_step_parts` times each
# over 2,000 real images, waiting for the device before every reading.

from mnisttutor import Classifier
from mnisttutor.profiling import time_step_parts

STEPS, WARMUP = 2000, 50
parts = {}
for device in devices:
    torch.manual_seed(0)
    images = mnist_dataset.images[: STEPS + WARMUP].to(device)
    targets = mnist_dataset.targets[: STEPS + WARMUP].to(device)
    with cpu_threads(1):
        parts[device.type] = time_step_parts(Classifier().to(device), images, targets)
        print(describe_device(device))
    for part, us in parts[device.type].items():
        print(f"    {part:10} {us:7.1f} µs")
    print(f"    {'total':10} {sum(parts[device.type].values()):7.1f} µs per step")

# %%
# The same parts, recorded on a GPU
# ---------------------------------
# The project's benchmarks (``benchmarks/`` in the repository) timed the same parts on
# an NVIDIA H200 GPU, one image a step, and wrote them down with the device and the
# date; :func:`~mnisttutor.results.recorded_rows` reads them back. Beside the parts, the
# benchmark timed the whole step without stopping between the parts.

from mnisttutor.profiling import STEP_PARTS
from mnisttutor.results import RECORDED, recorded_rows

recorded, whole = {}, {}  # by device: µs per part, and for the whole step
for row in recorded_rows(RECORDED, "profile-cuda.json"):
    if row["part"] in STEP_PARTS:
        recorded.setdefault(row["recorded"], {})[row["part"]] = row["us"]
    elif row["part"] == "whole step, untimed parts":
        whole[row["recorded"]] = row["us"]
for label, timing in recorded.items():
    print(f"recorded on {label}")
    for part, us in timing.items():
        print(f"    {part:10} {us:7.1f} µs")
    print(f"    {'total':10} {sum(timing.values()):7.1f} µs per step")
    print(f"    the whole step, not stopping between parts: {whole[label]:.1f} µs")

# %%
# The step as a picture
# ---------------------
# Each bar is one image's worth of work; the original also spent the pandas read
# measured above before every step.

import matplotlib.pyplot as plt

rows = {"CPU, original": {"pandas read": pandas_us, **parts["cpu"]}}
for device in devices:
    rows[f"{device.type.upper()}, tensors"] = parts[device.type]
for label, timing in recorded.items():
    name, date = label.rsplit(", ", 1)
    rows[f"{name}, tensors\n(recorded {date})"] = timing
colours = {part: f"C{i}" for i, part in enumerate(rows["CPU, original"])}
# 6.4 inches wide, about the page column, so the text is drawn near the size shown
fig, ax = plt.subplots(figsize=(6.4, 1.6 + 0.9 * len(rows)))
for y, timing in enumerate(rows.values()):
    left = 0.0
    for part, us in timing.items():
        ax.barh(y, us, left=left, color=colours[part], label=part if y == 0 else None)
        left += us
ax.set(yticks=range(len(rows)), yticklabels=list(rows), xlabel="µs per training step")
ax.set_title("Where one per-image step's time goes")
ax.invert_yaxis()
fig.legend(ncols=3, loc="lower center")  # below the bars, not over them
fig.tight_layout(rect=(0, 0.16, 1, 1))
plt.show()

# %%
# Counting what a step asks for
# -----------------------------
# PyTorch's profiler, ``torch.profiler``, records every operation PyTorch runs.
# :func:`~mnisttutor.profiling.operations_per_step` counts them for one step, and
# :func:`~mnisttutor.profiling.operation_kinds` sorts them into four kinds. An
# operation that calls others counts too: a layer's ``linear`` calls a matrix product
# and a transpose. Only a few calls are the matrix products, where most of the
# multiplying happens. Most calls compute nothing: they give numbers that already exist
# another shape (a row read as a column, say), or make and fill new tensors. On a
# CPU each call costs a little bookkeeping; on a GPU, each one that does work is also
# handed over from the CPU.

from mnisttutor.profiling import operation_kinds, operations_per_step

label, image, target = mnist_dataset[0]  # the tutorial's three items
operations = operations_per_step(Classifier(), image, target)
print(f"{operations.total()} operation calls in one training step:")
kinds = operation_kinds(operations)
for kind, calls in kinds.items():
    print(f"  {calls:4d}  {kind}")
views = kinds["another view of the same numbers (no arithmetic)"]
print(f"calls that make or compute numbers: {operations.total() - views}")
print(f"multiplications in the forward pass alone: {784 * 200 + 200 * 10:,}")

# %%
# Why a GPU is slower one image at a time
# ---------------------------------------
# In section 4's picture, a GPU is a motorway with thousands of lanes. A step on one
# image sends it a few dozen small operations (the calls above that make or compute
# numbers), one after another, and each has to be
# handed over by the CPU, which costs microseconds however little work it carries: the
# motorway carries one car at a time. So the GPU's step is no shorter than a CPU's. It
# is longer, as printed below. (This page times this machine's CPU step afresh, as the
# sum of its parts, so its ratio can differ a little from section 7's.)
#
# The recorded parts also say where the time goes. Stopping after each part to wait
# for the GPU added almost nothing: the parts add up to about what the whole step took
# without the stops. The GPU had finished each part's work by the time the CPU had
# handed it over, so the step is the hand-overs. Section 7 shows the GPU winning once
# each operation carries more work: a much wider network, many images a step, or a big
# matrix product.

from mnisttutor.results import how_much_faster

cpu_step = sum(parts["cpu"].values())
for device in devices[1:]:
    step = sum(parts[device.type].values())
    print(f"one step on this machine's {device.type}:", end=" ")
    print(how_much_faster(step, than=cpu_step, name="on its CPU"))
for label, timing in recorded.items():
    step = sum(timing.values())
    print(f"one step on {label} (recorded):", end=" ")
    print(how_much_faster(step, than=cpu_step, name="on this machine's CPU"))

# %%
# One H200 step, every way it was timed
# -------------------------------------
# The benchmark timed the H200's step in several ways in one run, and sections 7 and 8
# show several of them. They are not one figure, because they do not measure the same
# thing:
#
# * The tutorial's step, ``Classifier.train``, was timed four ways. Timed alone, the best
#   of a few rounds, it took 1,357 µs in section 7's scaling benchmark and 1,408 µs
#   here. A step made of hand-overs takes as long as the CPU needs for them at that
#   moment, and the two were timed at different moments of the run: a few per cent
#   apart is the same time. Its parts, waited for one by one and averaged over 2,000
#   steps, add up to 1,396 µs: the waits cost little, as said above. A whole training,
#   180,000 steps with the loop around them, averaged 1,138 µs a step, a sixth less than
#   the step timed alone. It ran minutes earlier, when the CPU was quicker at them.
# * :doc:`What each change buys <plot_02_what_each_change_buys>` writes the step out by
#   hand (``sgd_step``): a dozen operations, no autograd, no loss or optimiser objects.
#   It took 240 µs, and 32 µs when all its operations were handed over at once, as a
#   CUDA graph.

from mnisttutor.results import recorded_step_times

step_times = recorded_step_times()
print(f"recorded on {step_times.attrs['recorded']}")
step_times

# sphinx_gallery_thumbnail_number = 1
