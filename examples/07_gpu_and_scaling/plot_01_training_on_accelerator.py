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
# Moving the work to a GPU takes two lines: the model with
# :pt:`.to(device) <torch.nn.Module.to>`, and the data with
# :meth:`MnistDataset.to <mnisttutor.MnistDataset.to>`. The training loop does not
# change.
#
# What to expect: the original tutorial's 3 epochs took about 3 minutes on Colab's CPU
# and about 2 minutes on Colab's Tesla T4 GPU. Section 4's motorway only pays off when
# there are many cars at once, and one image at a time through a network this small is
# not many: each step is a few small operations, and handing each one to the GPU costs
# about as much as doing it. This build's own figure, where it had an accelerator, is
# printed below; the same training on the CPU was measured in section 6.

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
# pass, the loss, ``zero_grad``, ``backward`` and ``step``.
# :func:`~mnisttutor.timing.best_time` times ``STEPS`` of them on one real image,
# after a few warm-up steps, waiting for the device to finish, and keeps the best of
# three rounds: other work on the machine can only slow a round down. (Every image
# costs the same arithmetic, so one image stands for all of them.) The CPU uses one
# thread, as in section 6: per-image steps are too small to share between cores.

from mnisttutor.timing import best_time

STEPS, ROUNDS, WARMUP = 100, 3, 20
threads = torch.get_num_threads()  # restored at the end of the page
torch.set_num_threads(1)


def seconds_per_step(hidden, device):
    """Seconds for one training step of a 784-hidden-10 network on ``device``."""
    C = Classifier(hidden=hidden).to(device)
    image, target = mnist_dataset.images[0].to(device), mnist_dataset.targets[0].to(device)
    return best_time(
        lambda: C.train(image, target), device=device, warmup=WARMUP, rounds=ROUNDS, number=STEPS
    )


# %%
# Growing the hidden layer
# ------------------------
# From the tutorial's 200 hidden nodes to 5000: 25 times the weights. Each line gives
# the time per step, in microseconds (µs, millionths of a second), and how many times
# the 200-node step that is.

HIDDEN = [200, 500, 1000, 2000, 3000, 5000]
measured = {}
for device in devices:
    measured[device.type] = [seconds_per_step(h, device) for h in HIDDEN]
    print(describe_device(device))
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
# Time per step against hidden-layer size, as printed above. On the CPU the time grows
# with the network, by the ratio printed above, which need not be the 25x of the
# weights: the line printed under it says which way this build's numbers went.
#
# What to expect from a GPU, where one was measured or recorded: a line that stays
# nearly flat over these sizes, because each step is a few dozen small operations and
# launching them costs more than doing them, so a GPU only pays off for the larger
# networks: the motorway needs many cars.

import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(8, 4.5))
for device in devices:
    us = [s * 1e6 for s in measured[device.type]]
    ax.plot(HIDDEN, us, "o-", label=f"{describe_device(device)} (this build)")
for name, points in recorded.items():
    hidden = [size for size, _ in points]
    us = [time for _, time in points]
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

# %%
# Giving the threads back
# -----------------------
# This page used one thread; whatever runs next gets the count it started with.

torch.set_num_threads(threads)
