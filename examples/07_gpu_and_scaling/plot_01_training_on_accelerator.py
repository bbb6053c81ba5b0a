"""
Training on an accelerator, and a bigger network
================================================

Goal: run the tutorial's training on the best device this machine has, then measure
how the time per training step grows as the hidden layer grows from 200 to 5000 nodes,
on the CPU and, where there is one, on an accelerator.
"""

# %%
# Which devices are here?
# -----------------------
# :func:`~mnisttutor.best_device` picks the accelerator if there is one. Everything
# measured on this page ran on the devices listed here, when the page was built.

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
# Moving the work to a GPU takes two lines: the model with ``.to(device)``, and the
# data with :meth:`MnistDataset.to <mnisttutor.MnistDataset.to>`. The training loop
# does not change.

from mnisttutor import Classifier, MnistDataset, evaluate, fetch_mnist_csv, train_per_sample
from mnisttutor.timing import best_time

train_csv, test_csv = fetch_mnist_csv()
mnist_dataset, mnist_test_dataset = MnistDataset(train_csv), MnistDataset(test_csv)
if accelerator is not None:
    C = Classifier().to(accelerator)
    mnist_dataset.to(accelerator)
    seconds = best_time(
        lambda: train_per_sample(C, mnist_dataset, epochs=3, progress=False),
        device=accelerator,
        warmup=0,
        rounds=1,
    )
    print(
        f"3 epochs on {accelerator.type}: {seconds:.1f} s, "
        f"test accuracy {evaluate(C, mnist_test_dataset):.2%}"
    )
    mnist_dataset.to("cpu")
else:
    print("Skipped: there is no accelerator here. The same training on the CPU is in section 6.")

# %%
# Timing training steps
# ---------------------
# One step of :meth:`Classifier.train <mnisttutor.Classifier.train>` is a forward
# pass, the loss, ``zero_grad``, ``backward`` and ``step``. We time a fixed number of
# them on real images, after a few warm-up steps, waiting for the device to finish,
# and keep the best of three rounds: other work on the machine can only slow a round.
# The CPU uses one thread, as in section 6: per-image steps are too small to share.

import itertools

STEPS, ROUNDS, WARMUP = 100, 3, 20
torch.set_num_threads(1)


def seconds_per_step(hidden, device):
    C = Classifier(hidden=hidden).to(device)
    images = mnist_dataset.images[:STEPS].to(device)
    targets = mnist_dataset.targets[:STEPS].to(device)
    pairs = itertools.cycle(zip(images, targets, strict=True))
    return best_time(
        lambda: C.train(*next(pairs)), device=device, warmup=WARMUP, rounds=ROUNDS, number=STEPS
    )


# %%
# Growing the hidden layer
# ------------------------
# From the tutorial's 200 hidden nodes to 5000: 25 times the weights. We also work out
# what 3 epochs over 60,000 images would take at that speed.

HIDDEN = [200, 500, 1000, 2000, 3000, 5000]
measured = {}
for device in devices:
    measured[device.type] = [seconds_per_step(h, device) for h in HIDDEN]
    print(describe_device(device))
    for hidden, seconds in zip(HIDDEN, measured[device.type], strict=True):
        epochs_time = seconds * 3 * len(mnist_dataset)
        print(
            f"  hidden {hidden:5d}: {seconds * 1e6:8.0f} µs per step, "
            f"3 epochs would take {epochs_time / 60:5.1f} min"
        )

# %%
# Recorded runs on other machines
# -------------------------------
# The project's benchmarks (``benchmarks/`` in the repository) write their results to
# ``benchmarks/results/*.json``, with the date and a description of each device.
# :func:`~mnisttutor.results.recorded_curves` reads the hidden-size curves that
# ``benchmarks/scaling.py`` recorded on an accelerator; they are plotted below as
# *recorded* results, labelled with their device and date: they were not measured
# while building this page.

from mnisttutor.results import find_results, recorded_curves

recorded = recorded_curves(find_results())
for name in recorded:
    print(f"recorded: {name}")
if not recorded:
    print("No benchmark recorded on an accelerator was found, so there is no GPU curve.")

# %%
# The scaling curve
# -----------------
# Time per step against hidden-layer size. On a CPU the time grows with the number of
# weights, faster once they no longer fit in the processor's caches. What to expect from
# a GPU, where one was measured or recorded above: a line that stays nearly flat over
# these sizes, because each step is a few dozen tiny operations and launching them
# costs more than doing them, so a GPU only pays off for the larger networks.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 4.5))
for device in devices:
    us = [s * 1e6 for s in measured[device.type]]
    ax.plot(HIDDEN, us, "o-", label=f"{describe_device(device)} (this build)")
for name, points in recorded.items():
    hidden, us = zip(*sorted(points), strict=True)
    ax.plot(hidden, us, "s--", label=f"{name} (recorded)")
ax.set(
    xlabel="hidden nodes",
    ylabel="µs per training step",
    ylim=(0, None),
    title="Time per training step as the hidden layer grows",
)
ax.legend(fontsize=8, loc="upper left")
ax.grid(alpha=0.3)
plt.show()
