"""Where a per-sample training step's time goes, on the CPU and any accelerator.

    python benchmarks/profile_step.py            # 2000 steps per device
    python benchmarks/profile_step.py --steps 500

Times the parts of the tutorial's step (forward, loss, zero_grad, backward, optimiser
step) with mnisttutor.profiling.time_step_parts, and, beside them, what the original
code spends reading one item through pandas and what a whole untimed step costs.
Writes benchmarks/results/profile-<device>.json and .csv.
"""

from __future__ import annotations

import argparse
import itertools
import warnings

import common
import original_tutorial
import torch

from mnisttutor import Classifier
from mnisttutor.profiling import time_step_parts
from mnisttutor.timing import best_time

WARMUP = 50


def _whole_step_us(C, images, targets) -> float:
    pairs = itertools.cycle(zip(images, targets, strict=True))
    seconds = best_time(
        lambda: C.train(*next(pairs)), device=images.device, warmup=WARMUP, number=len(images)
    )
    return seconds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_arguments(parser)
    parser.add_argument("--steps", type=int, default=2000, help="timed steps per device")
    args = parser.parse_args()
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    common.set_threads(args.threads)
    train, _, files = common.load_data()
    n = args.steps + WARMUP

    original = original_tutorial.MnistDataset(files.train)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        items = itertools.count()
        pandas_item = best_time(lambda: original[next(items)], number=args.steps) * 1e6

    for device in common.devices(args.device):
        images, targets = train.images[:n].to(device), train.targets[:n].to(device)
        torch.manual_seed(0)
        parts = time_step_parts(Classifier().to(device), images, targets, warmup=WARMUP)
        whole = _whole_step_us(Classifier().to(device), images, targets)
        rows = [{"part": part, "us": round(us, 2)} for part, us in parts.items()]
        rows.append({"part": "whole step, untimed parts", "us": round(whole, 2)})
        if device.type == "cpu":
            item = {"part": "original: read one item through pandas", "us": round(pandas_item, 2)}
            rows.append(item)
        print(f"[{device}]")
        for row in rows:
            print(f"    {row['part']:40} {row['us']:8.1f} us")
        record = common.environment([device])
        record.update(steps_timed=args.steps)
        output = args.output or common.RESULTS / f"profile-{device.type}.json"
        common.write_results(output, record, rows)


if __name__ == "__main__":
    main()
