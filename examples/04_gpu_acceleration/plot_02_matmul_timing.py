"""
Timing a matrix multiplication
==============================

Goal: measure how long multiplying two square :term:`matrices <matrix>` takes on the
CPU and, when there is one, on the accelerator, as the matrices grow. This is the work a
network's layers do, so it shows when an accelerator pays off.
"""

# %%
# A fair timer
# ------------
# Accelerators run asynchronously: a call returns before the work is done. So
# :func:`~mnisttutor.timing.best_time` waits for the device to finish before reading
# the clock, runs once to warm up, and keeps the best of several rounds. The work it
# times is ``torch.matmul(a, b)`` (also written ``a @ b``), the matrix product of two
# random
# ``size x size`` tensors: each of its ``size x size`` results is a sum of ``size``
# products, and none of those sums waits for another, the kind of work the motorway
# was built for.

import torch

from mnisttutor.timing import best_time


def seconds_per_matmul(size, device):
    """Seconds for one size x size matrix product on the device, best of 3 rounds."""
    a, b = torch.rand(size, size, device=device), torch.rand(size, size, device=device)
    # about 2**27 multiply-adds a round: many small products, or one big one
    calls = max(1, 2**27 // size**3)
    return best_time(torch.matmul, a, b, device=device, rounds=3, number=calls)


# %%
# Measuring
# ---------
# A ``size x size`` product takes about ``2 x size³`` floating-point operations (the
# multiplications and additions of numbers with decimals); dividing that by the time
# gives the speed in GFLOP/s, billions of such operations per second. Times are in
# milliseconds (ms), thousandths of a second.

from mnisttutor import best_device, describe_device

devices = [torch.device("cpu")]
if best_device().type != "cpu":
    devices.append(best_device())
sizes = [64, 128, 256, 512, 1024, 2048]
results = {}
for device in devices:
    print(describe_device(device))
    results[device] = [seconds_per_matmul(size, device) for size in sizes]
    for size, seconds in zip(sizes, results[device]):
        gflops = 2 * size**3 / seconds / 1e9
        print(f"  {size:5d} x {size:<5d} {seconds * 1e3:9.3f} ms  {gflops:7.1f} GFLOP/s")
if len(devices) == 1:
    print("No accelerator here, so only the CPU was measured.")

# %%
# Recorded on a GPU
# -----------------
# The project's benchmarks (``benchmarks/`` in the repository) ran the same products
# on a GPU, and on all the cores of the same machine's CPU, and wrote the results with
# the device and the date. :func:`~mnisttutor.results.recorded_rows` reads them back.
# They were not measured while building this page: they show what the motorway does
# when it has one.

from mnisttutor.results import RECORDED, recorded_rows

recorded = {}
for row in recorded_rows(RECORDED, "gpu-cuda.json", benchmark="matmul"):
    recorded.setdefault(row["recorded"], []).append((row["size"], row["seconds"]))
for label, points in recorded.items():
    print(f"recorded on {label}")
    for size, seconds in points:
        gflops = 2 * size**3 / seconds / 1e9
        print(f"  {size:5d} x {size:<5d} {seconds * 1e3:9.3f} ms  {gflops:7.1f} GFLOP/s")

# %%
# How many times faster?
# ----------------------
# The smallest and the largest product that all three measured (this build's CPU, the
# recorded GPU and its machine's CPU), compared in words. For two 2048 x 2048 matrices,
# millions of independent sums, the GPU's lanes are all busy and it is many times faster
# than a CPU: the recorded H200 was 42 times faster than its own machine's 16 CPU cores.
# For two 64 x 64 matrices there is too little work to share out, handing it over to
# the GPU costs more than the sums, and the H200 was 1.7 times slower than its own
# machine's CPU.

from mnisttutor.results import how_much_faster

ours = dict(zip(sizes, results[torch.device("cpu")]))
gpu, host = {}, {}  # the recorded seconds per product, by size
for row in recorded_rows(RECORDED, "gpu-cuda.json", benchmark="matmul"):
    (host if row["device"] == "cpu" else gpu)[row["size"]] = row["seconds"]
for size in (64, 2048):
    print(f"{size} x {size}: the recorded GPU was")
    print(" ", how_much_faster(gpu[size], than=host[size], name="its machine's CPU"))
    print(" ", how_much_faster(gpu[size], than=ours[size], name="this machine's CPU"))

# %%
# Time and speed against size
# ---------------------------
# Above, the time per product; below, the speed: solid lines measured while building
# this page, dashed ones recorded. Every axis is on a :term:`log scale`: each labelled
# gridline is ten times the one before, so that speeds hundreds of times apart can be
# read on one chart. Small products are dominated by fixed costs (on a GPU, handing the work over),
# so speed grows with size until the hardware is busy.

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 8), sharex=True, layout="constrained")
lines = {f"{describe_device(d)} (this build)": list(zip(sizes, results[d])) for d in devices}
lines.update({f"{label} (recorded)": points for label, points in recorded.items()})
for label, points in lines.items():
    size, seconds = (np.array(column) for column in zip(*points))
    style = "s--" if label.endswith("(recorded)") else "o-"
    top.loglog(size, seconds * 1e3, style, label=label)
    bottom.loglog(size, 2 * size**3 / seconds / 1e9, style, label=label)
top.set(ylabel="ms per product", title="Time per product (lower is faster)")
bottom.set(xlabel="matrix size", ylabel="GFLOP/s", title="Speed (higher is faster)")
plain = matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:,g}")  # 1,000, not 10³
for ax in (top, bottom):
    ax.grid(alpha=0.3, which="both")
    ax.xaxis.set_major_formatter(plain)
    ax.yaxis.set_major_formatter(plain)
fig.legend(*top.get_legend_handles_labels(), loc="outside lower center")
plt.show()
