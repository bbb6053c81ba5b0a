"""
Where does the time go?
=======================

Goal: find out why training the tutorial's small network one image at a time takes
minutes, by timing each part of a step; then train the same way, with the same maths,
along faster and faster paths, and see what each change buys, on the CPU and (where the
build machine has one) on an accelerator.
"""

# %%
# What this page ran on
# ---------------------
# Each timing below was measured while this page was built, on these devices. Every
# path runs on one CPU thread: a per-image step is a chain of tiny operations, and
# threads waiting for each other cost more than they save (section 6 does the same).

import torch

from mnisttutor import best_device, describe_device

torch.set_num_threads(1)
devices = [torch.device("cpu")]
if best_device().type != "cpu":
    devices.append(best_device())
for device in devices:
    print(describe_device(device))
if len(devices) == 1:
    print("No accelerator on the machine that built this page: only the CPU was measured.")

# %%
# The data, two ways
# ------------------
# The original tutorial's dataset kept the CSV as a pandas DataFrame and, for every
# image it was asked for, picked the row out with ``.iloc`` and made new tensors. Here
# is that ``__getitem__``, as published (on the CPU). The package's
# :class:`~mnisttutor.MnistDataset` converts the whole file to tensors once, so an
# item is just a view.

import warnings

from mnisttutor import MnistDataset, fetch_mnist_csv

# torch warns, once, that pandas' array is read-only; the original ignored it too.
warnings.filterwarnings("ignore", "The given NumPy array is not writable")


class OriginalMnistDataset(MnistDataset):
    """The tutorial's __getitem__: a pandas lookup and new tensors per image."""

    def __getitem__(self, index):
        label = self.data_df.iloc[index, 0]
        target = torch.zeros(10)
        target[label] = 1.0
        image_values = torch.FloatTensor(self.data_df.iloc[index, 1:].values) / 255.0
        return label, image_values, target


train_csv, test_csv = fetch_mnist_csv()
mnist_dataset, mnist_test_dataset = MnistDataset(train_csv), MnistDataset(test_csv)
original_dataset = OriginalMnistDataset(train_csv)

# %%
# Reading one image
# -----------------
# :func:`~mnisttutor.timing.best_time` times a function over many calls and keeps the
# best of several rounds. We read the same images both ways.

import itertools

from mnisttutor.timing import best_time

ITEMS = 2000


def us_per_item(dataset):
    indices = itertools.cycle(range(ITEMS))
    return best_time(lambda: dataset[next(indices)], rounds=3, number=ITEMS) * 1e6


pandas_us, tensor_us = us_per_item(original_dataset), us_per_item(mnist_dataset)
print(f"one image through pandas .iloc:     {pandas_us:7.1f} µs")
print(f"one image from tensors built once:  {tensor_us:7.1f} µs")

# %%
# One training step, part by part
# -------------------------------
# A step of :meth:`Classifier.train <mnisttutor.Classifier.train>` is five parts:
# the forward pass, the loss, ``zero_grad``, ``backward`` and the optimiser's
# ``step``. :func:`~mnisttutor.profiling.time_step_parts` times each over real
# images, waiting for the device before every reading.

from mnisttutor import Classifier
from mnisttutor.profiling import time_step_parts

STEPS, WARMUP = 2000, 50
parts = {}
for device in devices:
    torch.manual_seed(0)
    images = mnist_dataset.images[: STEPS + WARMUP].to(device)
    targets = mnist_dataset.targets[: STEPS + WARMUP].to(device)
    parts[device.type] = time_step_parts(Classifier().to(device), images, targets)
    print(f"{describe_device(device)}")
    for part, us in parts[device.type].items():
        print(f"    {part:10} {us:7.1f} µs")
    print(f"    {'total':10} {sum(parts[device.type].values()):7.1f} µs per step")

# %%
# The step as a picture
# ---------------------
# Each bar is one image's worth of work; on the CPU the original also spent the
# pandas lookup measured above before every step.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(9, 1.2 + 0.9 * (len(devices) + 1)))
rows = [("CPU, original", {"pandas lookup": pandas_us, **parts["cpu"]})]
rows += [(f"{device.type.upper()}, tensors", parts[device.type]) for device in devices]
colours = dict(zip(["pandas lookup", *parts["cpu"]], plt.cm.tab10.colors, strict=False))
for y, (_, timing) in enumerate(reversed(rows)):
    left = 0.0
    for part, us in timing.items():
        ax.barh(y, us, left=left, color=colours[part], label=part if y == len(rows) - 1 else None)
        left += us
ax.set(yticks=range(len(rows)), yticklabels=[name for name, _ in reversed(rows)])
ax.set(xlabel="µs per training step", title="Where one per-image step's time goes")
ax.legend(ncols=3, fontsize=8, loc="lower right")
fig.tight_layout()

# %%
# Counting what a step asks for
# -----------------------------
# :mod:`torch.profiler` records every operation PyTorch runs. One module step runs
# the count printed below; only the few matrix products do real arithmetic, and
# the rest are bookkeeping that costs a call each. On a GPU, each operation that
# computes something is a separate kernel launch.

from torch.profiler import ProfilerActivity, profile

C = Classifier()
x, t = mnist_dataset.images[0], mnist_dataset.targets[0]
C.train(x, t)  # warm up
with profile(activities=[ProfilerActivity.CPU]) as prof:
    C.train(x, t)
events = prof.key_averages()
top_level = [e for e in events if e.key.startswith("aten::")]
print(f"{sum(e.count for e in top_level)} aten operator calls (nested ones included) in one step")
print(f"multiplications in one forward pass: {784 * 200 + 200 * 10:,}")
print(events.table(sort_by="self_cpu_time_total", row_limit=8, max_name_column_width=36))

# %%
# The same steps, along faster paths
# ----------------------------------
# Five ways to take the tutorial's steps, and mini-batches:
#
# * **original**: the published code: the pandas ``__getitem__`` above, then the
#   module step;
# * **tensor dataset**: :func:`~mnisttutor.train_per_sample`, the same module step fed
#   from :class:`~mnisttutor.MnistDataset`;
# * **hand-written**: :func:`~mnisttutor.train_per_sample_fast` with
#   :func:`~mnisttutor.training.sgd_step`: the same gradients worked out by hand, a
#   dozen tensor operations, no autograd graph and no optimiser object;
# * **compiled**: that step compiled by :func:`torch.compile` (on the CPU only here);
# * **fast**: :func:`~mnisttutor.train_per_sample_fast` as it comes. On the CPU it runs
#   the whole loop over the images as machine code compiled by numba, and skips each
#   image's blank pixels, whose terms are zero anyway. On an accelerator it takes the
#   hand-written step, so it is not measured twice there;
# * **mini-batches**: :func:`~mnisttutor.train_minibatch`, 64 images per step, with the
#   refined network of the tutorial author's follow-up (LeakyReLU, LayerNorm, Adam).

print(f"blank pixels in the training images: {(mnist_dataset.images == 0).float().mean():.1%}")

# %%
# Compiling the hand-written step
# -------------------------------
# :func:`torch.compile` turns :func:`~mnisttutor.training.sgd_step` into generated C++
# the first time it is called. That costs time once, so it is timed on its own (it
# takes less when an earlier run left the generated code in PyTorch's cache).

import time

from mnisttutor.training import sgd_step

torch.manual_seed(0)
start_weights = Classifier().state_dict()  # every path starts from these


def fresh(device):
    C = Classifier().to(device)
    C.load_state_dict(start_weights)
    return C


compiled_step = torch.compile(sgd_step, fullgraph=True, dynamic=False)
start = time.perf_counter()
with torch.no_grad():
    compiled_step(
        mnist_dataset.images[0], mnist_dataset.targets[0], *fresh("cpu").parameters(), 0.01
    )
compile_seconds = time.perf_counter() - start
print(f"torch.compile took {compile_seconds:.1f} s, once")

# %%
# Compiling the whole loop
# ------------------------
# A compiled step is still called from Python once per image, and PyTorch still
# dispatches each operation inside it, and each call costs microseconds. The fast
# path removes that: numba compiles the whole loop over the images (forward pass,
# gradients, updates) into machine code, so no Python or PyTorch call is left per
# step. numba compiles it the first time it is called, once per Python process, so
# that call is timed here on its own, on one image.

from types import SimpleNamespace

from mnisttutor import train_per_sample_fast

first_image = SimpleNamespace(images=mnist_dataset.images[:1], targets=mnist_dataset.targets[:1])
start = time.perf_counter()
train_per_sample_fast(fresh("cpu"), first_image, 1, progress=False)
print(f"numba compiled the loop in {time.perf_counter() - start:.1f} s, once")

# %%
# The per-image paths
# -------------------
# Each path trains a fresh copy of the same weights on the same first ``IMAGES``
# training images, in order, one image per step.

from mnisttutor import train_per_sample

IMAGES = 3000


def per_image_paths(device):
    """Path name -> function training a classifier on the first IMAGES images."""
    head = SimpleNamespace(
        images=mnist_dataset.images[:IMAGES].to(device),
        targets=mnist_dataset.targets[:IMAGES].to(device),
    )

    def original(C):  # the tutorial's loop, reading through pandas
        for i in range(IMAGES):
            _, image, target = original_dataset[i]
            C.train(image.to(device), target.to(device))

    paths = {
        "original": original,
        "tensor dataset": lambda C: train_per_sample(C, head, 1, progress=False),
        "hand-written": lambda C: train_per_sample_fast(C, head, 1, step=sgd_step, progress=False),
        "compiled": lambda C: train_per_sample_fast(C, head, 1, step=compiled_step, progress=False),
        "fast": lambda C: train_per_sample_fast(C, head, 1, progress=False),
    }
    if device.type != "cpu":
        del paths["compiled"]  # compiling for an accelerator is not measured on this page
        del paths["fast"]  # the same step as hand-written there
    return paths


# %%
# Timing them
# -----------
# The clock is read after waiting for the device, so queued GPU work is counted. Each
# path runs ``ROUNDS`` times, from fresh weights each time, and the paths take turns,
# so a busy moment on the machine slows one round of one path rather than its result:
# each path's fastest round is kept, as ``timeit`` does.


def timed(work, device):
    return best_time(work, device=device, warmup=0, rounds=1)


ROUNDS = 3

rows, trained = [], {}
for device in devices:
    paths = per_image_paths(device)
    best = dict.fromkeys(paths, float("inf"))
    for _ in range(ROUNDS):
        for name, train in paths.items():
            C = trained[device.type, name] = fresh(device)
            best[name] = min(best[name], timed(lambda: train(C), device))  # noqa: B023
    for name, seconds in best.items():
        rows.append({"device": device.type, "path": name, "µs per image": seconds / IMAGES * 1e6})
        print(f"{device.type:5} {name:15} {rows[-1]['µs per image']:8.1f} µs per image")

# %%
# Mini-batches
# ------------
# One pass over all 60,000 images, 64 at a time, timed the same way.

from mnisttutor import RefinedClassifier, train_minibatch

for device in devices:
    torch.manual_seed(0)
    C, data = RefinedClassifier(lr=0.003).to(device), mnist_dataset.to(device)
    seconds = timed(lambda: train_minibatch(C, data, 1, progress=False), device)  # noqa: B023
    rows.append(
        {"device": device.type, "path": "mini-batches", "µs per image": seconds / len(data) * 1e6}
    )
    mnist_dataset.to("cpu")
    print(f"{device.type:5} mini-batches    {rows[-1]['µs per image']:8.1f} µs per image")

# %%
# The table
# ---------
# Projected to the tutorial's 3 epochs over 60,000 images at the measured speed, and
# compared with the original on the same device.

import pandas as pd

table = pd.DataFrame(rows)
table["3 epochs, projected (s)"] = table["µs per image"] * 3 * len(mnist_dataset) / 1e6
original_us = table[table.path == "original"].set_index("device")["µs per image"]
table["times faster than the original"] = (
    original_us[table.device].to_numpy() / table["µs per image"]
)
table.round(1)

# %%
# The paths as a chart
# --------------------
# A logarithmic axis: each step down the chart is a multiple, not a difference.

fig, ax = plt.subplots(figsize=(8, 3.5))
names = list(table[table.device == "cpu"].path)  # the CPU has every path
for offset, device in enumerate(devices):
    mine = table[table.device == device.type]
    where = [names.index(path) + 0.4 * offset for path in mine.path]
    ax.barh(where, mine["µs per image"], height=0.4, label=describe_device(device)[:60])
ax.set(yticks=range(len(names)), yticklabels=names)
ax.set(xscale="log", xlabel="µs per image (log scale)", title="Training paths, one image's worth")
ax.invert_yaxis()
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# What each change bought
# -----------------------
# Each line compares a path with the one before it, on the CPU. Feeding the module from
# tensors removes the pandas read. Writing the gradients out by hand removes the
# autograd graph, the module and loss calls and the optimiser's bookkeeping. What is
# left in the hand-written step is mostly the price of calling each of its dozen
# operations, which compiling the step cannot remove: the compiled step is still
# called from Python once per image. Compiling the whole loop removes every per-image
# call, leaving the arithmetic, and only the non-blank pixels' share of it.

from itertools import pairwise

cpu_us = table[table.device == "cpu"].set_index("path")["µs per image"]
for before, after in pairwise(["original", "tensor dataset", "hand-written", "compiled", "fast"]):
    print(f"{before:>15} -> {after:15} {cpu_us[before] / cpu_us[after]:5.1f}x as fast")

# %%
# Same steps, same weights
# ------------------------
# Faster is only worth having if it computes the same thing. All the per-image paths
# took the same steps from the same start, so their weights should agree to rounding.

reference = trained["cpu", "tensor dataset"]
for (device, name), C in trained.items():
    pairs = zip(C.parameters(), reference.parameters(), strict=True)
    gap = max((a.cpu() - b).abs().max().item() for a, b in pairs)
    print(f"{device:5} {name:15} largest weight difference from 'tensor dataset': {gap:.1e}")

# %%
# The full training, fast
# -----------------------
# The tutorial's whole training -- 3 epochs, one image at a time -- along the fast path,
# and the refined network on mini-batches, each scored on the 10,000 test images.

from mnisttutor import evaluate

C = fresh("cpu")
fast_seconds = timed(lambda: train_per_sample_fast(C, mnist_dataset, 3, progress=False), "cpu")
fast_accuracy = evaluate(C, mnist_test_dataset)
print(f"fast per-image path: {fast_seconds:.1f} s, test accuracy {fast_accuracy:.2%}")
torch.manual_seed(0)
C = RefinedClassifier(lr=0.003)
minibatch_seconds = timed(
    lambda: train_minibatch(C, mnist_dataset, 3, lr_decay=True, progress=False), "cpu"
)
minibatch_accuracy = evaluate(C, mnist_test_dataset)
print(f"mini-batches:        {minibatch_seconds:.1f} s, test accuracy {minibatch_accuracy:.2%}")
projected = table.set_index(["device", "path"]).loc[("cpu", "original"), "3 epochs, projected (s)"]
print(f"the original, projected from its measured speed: {projected:.0f} s")

# %%
# Why a GPU barely helps one image at a time
# ------------------------------------------
# A GPU does thousands of multiplications at once, but each operation it runs is a
# kernel launched from the CPU, and a launch costs microseconds whatever its size.
# A per-image step is many operations (counted above) around a forward pass of the
# size printed there: a GPU finishes that arithmetic faster than it can be handed
# the next operation, so it spends a per-image step waiting on launches, and gains
# little over a CPU. Where this build had an accelerator, the ratios below measure
# that. A GPU pays off when each operation is big -- many images per step, or a much
# wider network: see the hidden-layer scaling curve in
# :doc:`section 7 <../07_gpu_and_scaling/plot_01_training_on_accelerator>`.

if len(devices) == 1:
    print("This build had no accelerator, so no GPU row was measured here.")
else:
    gpu = table[table.device == devices[1].type].set_index("path")["µs per image"]
    cpu = table[table.device == "cpu"].set_index("path")["µs per image"]
    print((cpu / gpu).dropna().round(2).rename("CPU time / accelerator time"))

# %%
# Recorded benchmark runs
# -----------------------
# ``python benchmarks/run.py`` in the repository trains every path for the full 3
# epochs, the original included, and records the results with the machine, versions
# and date. The per-image paths take turns in rounds, so a busy machine slows them
# alike; each gets a mean speed over all rounds and its best round's. If such a record
# is next to this page's source, here it is.

import json

from mnisttutor.results import find_results

results = find_results()
record = results / "paths.json" if results and (results / "paths.json").is_file() else None
if record is None:
    print("No recorded benchmark found (run python benchmarks/run.py in the repository).")
else:
    data = json.loads(record.read_text())
    machine, versions = data["machine"], data["versions"]
    print(f"recorded {data['date_utc']} on {machine['cpu']}, torch {versions['torch']}")
    print(f"devices: {', '.join(machine['devices'].values())}; {data['run']['note']}")
    columns = [
        "device",
        "path",
        "us_per_image",
        "seconds_full_run",
        "speedup_vs_original",
        "best_round_us_per_image",
        "best_round_speedup_vs_original",
        "test_accuracy",
    ]
    recorded = pd.DataFrame(data["results"])[columns]
recorded if record is not None else None

# sphinx_gallery_thumbnail_number = 1
