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
# Each timing below was measured while this page was built, on these devices. The
# timings run on one CPU thread (:func:`~mnisttutor.cpu_threads`): a step on one
# image is a chain of tiny operations, and threads waiting for each other cost more
# than they save (section 6 does the same).

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
# a GPU, one image a step, and wrote them with the device and the date.
# :func:`~mnisttutor.results.recorded_rows` reads them back; they were not measured
# while building this page.

from mnisttutor.profiling import STEP_PARTS
from mnisttutor.results import RECORDED, recorded_rows

recorded = {}
for row in recorded_rows(RECORDED, "profile-cuda.json"):
    if row["part"] in STEP_PARTS:
        recorded.setdefault(row["recorded"], {})[row["part"]] = row["us"]
for label, timing in recorded.items():
    print(f"recorded on {label}")
    for part, us in timing.items():
        print(f"    {part:10} {us:7.1f} µs")
    print(f"    {'total':10} {sum(timing.values()):7.1f} µs per step")

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
# PyTorch's profiler, ``torch.profiler``, records every operator it runs.
# :func:`~mnisttutor.profiling.operations_per_step` counts them for one step. The names
# start with ``aten::``, PyTorch's library of operators. Only the matrix products do
# real arithmetic (the multiplications printed below). Most of the rest is
# bookkeeping that costs a call each: ``as_strided``, ``view``, ``t``, ``transpose``
# and ``squeeze`` give the same numbers another shape (transposed, reshaped) without
# computing anything, and ``resolve_conj`` checks a flag. On a GPU, each operator is a
# separate piece of work handed over from the CPU.

from mnisttutor.profiling import operations_per_step

operations = operations_per_step(Classifier(), mnist_dataset.images[0], mnist_dataset.targets[0])
print(f"{operations.total()} operator calls (nested ones included) in one step")
print(f"multiplications in one forward pass: {784 * 200 + 200 * 10:,}")
for name, count in operations.most_common(6):
    print(f"    {count:3d} x {name}")

# %%
# Why a GPU barely helps one image at a time
# ------------------------------------------
# In section 4's picture, a GPU is a motorway with thousands of lanes. A step on one
# image sends it a few dozen small operators, one after another, each of which has to
# be handed over from the CPU, and a hand-over costs microseconds whatever its size:
# the motorway carries one car at a time. Section 4's recorded GPU multiplies large
# matrices many times faster than a CPU, yet in the bars above its step is nowhere
# near that many times shorter than a CPU's: the time is the hand-overs, not the
# arithmetic. The original saw this
# too: about 2 minutes on a Tesla T4 GPU against about 3 on Colab's CPU. The ratios
# below compare the CPU step measured here with each GPU step. A GPU pays off when
# each operation is big -- many images per step, or a much wider network: see the
# scaling curve and the mini-batches in
# :doc:`section 7 <../07_gpu_and_scaling/plot_01_training_on_accelerator>`.

cpu_step = sum(parts["cpu"].values())
for device in devices[1:]:
    ratio = cpu_step / sum(parts[device.type].values())
    print(f"one step: this build's CPU took {ratio:.2f}x the time of its {device.type}")
for label, timing in recorded.items():
    ratio = cpu_step / sum(timing.values())
    print(f"one step: this build's CPU took {ratio:.2f}x the time of {label} (recorded)")

# sphinx_gallery_thumbnail_number = 1
