"""
Training on an accelerator, and a bigger network
================================================

Goal: run the tutorial's training on the best device this machine has; measure how
the time per training step grows as the hidden layer grows from 200 to 5000 nodes, on
the CPU and, where there is one, on an accelerator; and finally give the accelerator
what it is built for: many images at once.
"""

# %%
# Which devices are here?
# -----------------------
# :func:`~mnisttutor.best_device` picks the accelerator if there is one. Everything
# measured on this page ran on the devices listed here, when the page was built.
# Figures recorded earlier on a GPU are printed and drawn beside them, always labelled
# *recorded*, with their device and date.
#
# .. only:: html
#
#    To run this page on a GPU yourself, download it as a notebook (the links at the
#    bottom of the page), open it in Google Colab, choose **Runtime > Change runtime type**,
#    pick a GPU (such as the T4, the original tutorial's GPU), save, and run all the
#    cells: the page then measures your GPU as well, and draws its curve beside the
#    recorded ones.

import torch

from mnisttutor import best_device, describe_device

accelerator = best_device() if best_device().type != "cpu" else None
devices = [torch.device("cpu")] + ([accelerator] if accelerator else [])
for device in devices:
    print(describe_device(device))
if accelerator is None:
    print("No accelerator on the machine that built this page: only the CPU was measured.")

# %%
# The same training, on the accelerator
# -------------------------------------
# Moving the work to a GPU takes two lines: the model with
# :pt:`.to(device) <torch.nn.Module.to>`, and the data with
# :meth:`MnistDataset.to <mnisttutor.MnistDataset.to>`. The training loop does not
# change. A :class:`~mnisttutor.timing.Stopwatch` times the ``with`` block, waiting for
# the accelerator to finish its queued work before it reads the clock.
#
# The original tutorial's 3 epochs took about 3 minutes on Colab's CPU and about 2
# minutes on Colab's Tesla T4 GPU. The same training on this build's CPU is measured in
# section 6.

from mnisttutor import Classifier, MnistDataset, evaluate, fetch_mnist_csv, train_per_sample
from mnisttutor.timing import Stopwatch

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset, mnist_test_dataset = MnistDataset(train_csv), MnistDataset(test_csv)
if accelerator is not None:
    C = Classifier().to(accelerator)
    mnist_dataset.to(accelerator)
    with Stopwatch(accelerator) as watch:
        train_per_sample(C, mnist_dataset, epochs=3, progress=False)
    accuracy = evaluate(C, mnist_test_dataset)
    print(f"3 epochs on {accelerator.type}: {watch.seconds:.1f} s, test accuracy {accuracy:.2%}")
    mnist_dataset.to("cpu")
else:
    print("This build has no accelerator, so it trained on none.")

# %%
# The same training, recorded on a GPU
# ------------------------------------
# The project's benchmarks (``benchmarks/`` in the repository) ran this training on a
# GPU and recorded the results with the device and the date; they ship with the
# package, as ``mnisttutor/recorded/gpu-cuda.json``.
# :func:`~mnisttutor.results.recorded_rows` reads them back. They were not measured
# while building this page.
#
# Section 4's motorway only pays off when there are many cars at once, and one image at
# a time through a network this small is not many: each step is a few dozen small
# operations, and handing each one to the GPU costs more than doing it. So the GPU,
# even a far newer one than the original's T4, is no quicker at this than the
# original's 2 minutes.
#
# The benchmark also timed one image's step replayed as a *CUDA graph*: the whole
# step's operations recorded once and then handed to the GPU in one go, so each step
# costs one hand-over instead of dozens. Same arithmetic, same weights afterwards,
# and a shorter step: the hand-overs were most of the time.

from mnisttutor.results import RECORDED, recorded_rows

for row in recorded_rows(RECORDED, "gpu-cuda.json", benchmark="training"):
    print(f"recorded on {row['recorded']}:")
    print(
        f"  3 epochs, one image at a time: {row['seconds']:.1f} s "
        f"({row['seconds'] / 60:.1f} minutes), test accuracy {row['test_accuracy']:.2%}"
    )
for row in recorded_rows(RECORDED, "gpu-cuda.json", benchmark="per_image_step"):
    how = "one operation at a time" if row["mode"] == "eager" else "as one CUDA graph"
    print(f"  one image's step, {how}: {row['us_per_image']:.1f} µs")

# %%
# Timing training steps
# ---------------------
# One step of :meth:`Classifier.train <mnisttutor.Classifier.train>` is a forward
# pass, the loss, ``zero_grad``, ``backward`` and ``step``.
# :func:`~mnisttutor.timing.best_time` calls ``C.train(image, target)`` ``STEPS``
# times on one real image, after a few warm-up steps, waiting for the device to
# finish, and keeps the best of three rounds: other work on the machine can only slow
# a round down. (Every image costs the same arithmetic, so one image stands for all
# of them.)

from mnisttutor.timing import best_time

STEPS, ROUNDS, WARMUP = 100, 3, 20


def seconds_per_step(hidden, device):
    """Seconds for one training step of a 784-hidden-10 network on ``device``."""
    C = Classifier(hidden=hidden).to(device)
    image, target = mnist_dataset.images[0].to(device), mnist_dataset.targets[0].to(device)
    return best_time(
        C.train, image, target, device=device, warmup=WARMUP, rounds=ROUNDS, number=STEPS
    )


# %%
# Growing the hidden layer
# ------------------------
# From the tutorial's 200 hidden nodes to 5000: 25 times the weights. Each line gives
# the time per step, in microseconds (µs, millionths of a second), and how many times
# the 200-node step that is. The CPU uses one thread
# (:func:`~mnisttutor.cpu_threads`), as in section 6: one image's step is too
# small to share between cores.

from mnisttutor import cpu_threads

HIDDEN = [200, 500, 1000, 2000, 3000, 5000]
measured, described = {}, {}
with cpu_threads(1):
    for device in devices:
        measured[device.type] = [seconds_per_step(h, device) for h in HIDDEN]
        described[device.type] = describe_device(device)  # with its thread count
for device in devices:
    print(described[device.type])
    smallest = measured[device.type][0]
    for hidden, seconds in zip(HIDDEN, measured[device.type]):
        print(
            f"  hidden {hidden:5d}: {seconds * 1e6:8.0f} µs per step, "
            f"{seconds / smallest:4.1f}x the 200-node step"
        )

# %%
# More weights, more time, but not in proportion
# ----------------------------------------------
# The weights grow with the hidden layer: 784 x hidden + hidden x 10. Comparing the
# largest network with the tutorial's, on each device measured here:

for device in devices:
    weight_ratio = (HIDDEN[-1] * (784 + 10)) / (HIDDEN[0] * (784 + 10))
    time_ratio = measured[device.type][-1] / measured[device.type][0]
    print(f"{device.type}: {weight_ratio:.0f}x the weights took {time_ratio:.1f}x the time")
    if time_ratio < weight_ratio:
        print(
            "  less than in proportion: part of every step is a fixed cost (calling each "
            "operation, the optimiser's bookkeeping) that does not grow with the network"
        )
    else:
        print("  at least in proportion: the arithmetic on the weights is nearly all the time")

# %%
# The same curves, recorded on a GPU and its CPU
# ----------------------------------------------
# The benchmark measured the same steps on the GPU, and on one thread of the CPU of the
# same machine, the fair comparison. Where the two recorded lines cross, the CPU's
# growing arithmetic starts to cost more than the GPU's fixed hand-over of each
# operation; below that size the CPU is quicker.

from mnisttutor.results import crossing

recorded = {}
for name in ["scaling-cpu-h200-host.json", "scaling-cuda.json"]:
    rows = recorded_rows(RECORDED, name)
    if rows:
        recorded[rows[0]["recorded"]] = [(row["hidden"], row["us_per_step"]) for row in rows]
for label in recorded:
    print(f"recorded: {label}")
if len(recorded) == 2 and (between := crossing(*recorded.values())):
    print(f"the recorded lines cross between {between[0]} and {between[1]} hidden nodes")

# %%
# The scaling curve
# -----------------
# Time per step against hidden-layer size: solid lines measured while building this
# page, dashed ones recorded. A CPU's line climbs with the network. A GPU's stays
# nearly flat over these sizes, because each step is a few dozen small operations and
# handing them over costs more than doing them: the motorway needs many cars.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 5.5), layout="constrained")
for device in devices:
    us = [s * 1e6 for s in measured[device.type]]
    ax.plot(HIDDEN, us, "o-", label=f"{described[device.type]} (this build)")
for name, points in recorded.items():
    ax.plot(*zip(*points), "s--", label=f"{name} (recorded)")
ax.set(
    xlabel="hidden nodes",
    ylabel="µs per training step",
    ylim=(0, None),
    title="Time per training step as the hidden layer grows",
)
fig.legend(fontsize=8, loc="outside lower center")  # below: the lines fill the plot
ax.grid(alpha=0.3)
plt.show()

# %%
# The motorway with cars on it
# ----------------------------
# A GPU shines when each operation is big. The easiest way to make it big is to
# train on many images at once: a *mini-batch*.
# :func:`~mnisttutor.train_minibatch` gives the same network ``batch_size`` images a
# step, so each matrix product does ``batch_size`` images' sums in one go. The loss is
# the mean over the batch, so the learning rate grows with the batch, to keep each
# image's share of a step at the tutorial's 0.01. The CPU runs one thread again: on a
# small or busy machine, threads waiting for each other can cost more than they save,
# even on batches, and one thread gives the steadier figure.

from mnisttutor import train_minibatch

BATCHES = {100: 1.0, 1000: 10.0}  # images a step: learning rate
for device in devices:
    mnist_dataset.to(device)
    for batch_size, lr in BATCHES.items():
        torch.manual_seed(0)
        C = Classifier(lr=lr).to(device)
        with cpu_threads(1), Stopwatch(device) as watch:
            train_minibatch(C, mnist_dataset, 3, batch_size=batch_size, progress=False)
        accuracy = evaluate(C, mnist_test_dataset)
        print(
            f"{device.type}, {batch_size:4d} images a step: 3 epochs in "
            f"{watch.seconds:5.2f} s, test accuracy {accuracy:.2%}"
        )
mnist_dataset = mnist_dataset.to("cpu")

# %%
# The motorway, recorded
# ----------------------
# The same mini-batches, recorded on the GPU and on all the cores of the same
# machine's CPU, a quiet one (this build's CPU is described at the top of the page;
# the recorded CPU line says its thread count). At 100
# images a step the operations are still small, and handing each one over to the GPU
# still costs more than its sums: the CPU wins. At 1000, the GPU's thousands of lanes
# are busy and it pulls ahead. Under each pair: how many times the CPU's time the GPU
# took.

sweep = recorded_rows(RECORDED, "minibatch-sweep-cuda.json")
for batch_size in BATCHES:
    rows = {row["device"]: row for row in sweep if row["batch_size"] == batch_size}
    if rows:
        print(f"recorded, {batch_size} images a step, 3 epochs:")
    for row in rows.values():
        print(
            f"  {row['seconds']:5.2f} s, test accuracy {row['test_accuracy']:.2%}, "
            f"on {row['recorded']}"
        )
    cpu, gpu = rows.pop("cpu", None), next(iter(rows.values()), None)
    if cpu and gpu:
        print(f"  the GPU took {gpu['seconds'] / cpu['seconds']:.2f}x the CPU's time")
