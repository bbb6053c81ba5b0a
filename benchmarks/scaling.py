"""Time per training step as the hidden layer grows, on the CPU and any accelerator.

    python benchmarks/scaling.py            # 200 to 5000 hidden nodes, 1000 steps a round
    python benchmarks/scaling.py --steps 200

The tutorial's nn.Module step (Classifier.train) on real images, timed by
mnisttutor.profiling.time_per_step, as section 7 times it: after a warm-up, the device
synchronised around each round, the sizes taking turns, the best of three rounds.
Writes benchmarks/results/scaling-<device>.json per device; its rows,
{"device", "hidden", "us_per_step"}, are what mnisttutor.results.recorded_curves reads.
"""

from __future__ import annotations

import argparse

import common
import torch

from mnisttutor.profiling import time_per_step

HIDDEN = (200, 500, 1000, 2000, 3000, 5000)
WARMUP = 50
ROUNDS = 3


def scaling_rows(device: torch.device, hidden_sizes, images, targets, steps: int) -> list[dict]:
    """One row per hidden size: microseconds per tutorial step on ``device``."""
    times = time_per_step(
        hidden_sizes, device, images, targets, steps=steps, rounds=ROUNDS, warmup=WARMUP
    )
    rows = []
    for hidden, seconds in times.items():
        rows.append(
            {"device": str(device), "hidden": hidden, "us_per_step": round(seconds * 1e6, 2)}
        )
        print(f"[{device}] hidden {hidden:5d}: {seconds * 1e6:9.1f} us per step", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_arguments(parser)
    parser.add_argument("--steps", type=int, default=1000, help="timed steps per round")
    parser.add_argument("--hidden", type=int, nargs="+", default=list(HIDDEN))
    args = parser.parse_args()
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    common.set_threads(args.threads)
    train, _, _ = common.load_data()
    images, targets = train.images[: args.steps], train.targets[: args.steps]
    for device in common.devices(args.device):
        rows = scaling_rows(device, args.hidden, images, targets, args.steps)
        record = {**common.environment([device]), "steps_timed": args.steps, "rounds": ROUNDS}
        output = args.output or common.RESULTS / f"scaling-{device.type}.json"
        common.write_results(output, record, rows)


if __name__ == "__main__":
    main()
