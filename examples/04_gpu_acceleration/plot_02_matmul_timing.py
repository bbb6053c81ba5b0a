"""
Timing a matrix multiplication
==============================

Goal: measure how long multiplying two square matrices takes on the CPU and, when there
is one, on the accelerator, as the matrices grow. This is the work a network's layers
do, so it shows when an accelerator pays off.
"""

# %%
# A fair timer
# ------------
# Accelerators run asynchronously: a call returns before the work is done. So
# :func:`~mnisttutor.timing.best_time` waits for the device to finish before reading
# the clock, runs once to warm up, and keeps the best of several rounds.

import torch

from mnisttutor.timing import best_time


def seconds_per_matmul(size, device):
    a, b = torch.rand(size, size, device=device), torch.rand(size, size, device=device)
    # about 2**27 multiply-adds a round: many small products, or one big one
    return best_time(lambda: a @ b, device=device, rounds=3, number=max(1, 2**27 // size**3))


# %%
# Measuring
# ---------
# A ``size x size`` product takes about ``2 x size³`` floating-point operations;
# dividing by the time gives the speed in GFLOP/s.

from mnisttutor import best_device, describe_device

devices = list(dict.fromkeys([torch.device("cpu"), best_device()]))
sizes = [64, 128, 256, 512, 1024, 2048]
results = {}
for device in devices:
    print(describe_device(device))
    results[device] = [seconds_per_matmul(size, device) for size in sizes]
    for size, seconds in zip(sizes, results[device], strict=True):
        gflops = 2 * size**3 / seconds / 1e9
        print(f"  {size:5d} x {size:<5d} {seconds * 1e3:9.3f} ms  {gflops:7.1f} GFLOP/s")
if len(devices) == 1:
    print("No accelerator here, so only the CPU was measured.")

# %%
# Time and speed against size
# ---------------------------
# Left, the time per product; right, the speed. Small products are dominated by fixed
# costs (on a GPU, launching the work), so speed grows with size until the hardware is
# busy.

import matplotlib.pyplot as plt
import numpy as np

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
for device, times in results.items():
    times = np.array(times)
    left.loglog(sizes, times * 1e3, "o-", label=device.type)
    right.semilogx(sizes, 2 * np.array(sizes) ** 3 / times / 1e9, "o-", label=device.type)
left.set(xlabel="matrix size", ylabel="ms per product", title="Time")
right.set(xlabel="matrix size", ylabel="GFLOP/s", title="Speed")
for ax in (left, right):
    ax.grid(alpha=0.3, which="both")
    ax.legend()
fig.tight_layout()
plt.show()
