"""Time per training step as the hidden layer grows, on the CPU and any accelerator.

    python benchmarks/scaling.py            # 200 to 5000 hidden nodes, 1000 steps each
    python benchmarks/scaling.py --steps 200

The tutorial's nn.Module step (Classifier.train) on real images, after a warm-up, with
the device synchronised around the timing. Writes benchmarks/results/scaling-<device>.json
per device, in the form the gallery's scaling page plots: "device", "date" and a
"scaling" list of {"hidden", "us_per_step"}.
"""

from __future__ import annotations

import argparse

import common
import torch

from mnisttutor import Classifier, describe_device
from mnisttutor.profiling import time_per_call

HIDDEN = (200, 500, 1000, 2000, 3000, 5000)
WARMUP = 50


def us_per_step(hidden: int, images, targets) -> float:
    torch.manual_seed(0)
    C = Classifier(hidden=hidden).to(images.device)
    for i in range(WARMUP):
        C.train(images[i], targets[i])
    steps = len(images) - WARMUP
    seconds = time_per_call(
        lambda i: C.train(images[WARMUP + i], targets[WARMUP + i]), steps, images.device
    )
    return seconds * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_arguments(parser)
    parser.add_argument("--steps", type=int, default=1000, help="timed steps per size")
    parser.add_argument("--hidden", type=int, nargs="+", default=list(HIDDEN))
    args = parser.parse_args()
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    common.set_threads(args.threads)
    train, _, _ = common.load_data()
    for device in common.devices(args.device):
        images = train.images[: args.steps + WARMUP].to(device)
        targets = train.targets[: args.steps + WARMUP].to(device)
        rows = []
        for hidden in args.hidden:
            us = us_per_step(hidden, images, targets)
            rows.append({"hidden": hidden, "us_per_step": round(us, 2)})
            print(f"[{device}] hidden {hidden:5d}: {us:9.1f} us per step", flush=True)
        record = common.environment([device])
        record.update(
            device=describe_device(device),
            date=record["date_utc"][:10],
            steps_timed=args.steps,
            scaling=rows,
        )
        output = args.output or common.RESULTS / f"scaling-{device.type}.json"
        common.write_results(output, record, rows)


if __name__ == "__main__":
    main()
