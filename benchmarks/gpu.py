"""What needs an accelerator, measured in one run: benchmarks/gpu.sh calls this.

    python benchmarks/gpu.py                       # on the machine's accelerator
    python benchmarks/gpu.py --dry-run --output D  # tiny sizes on the CPU, for the tests

Records, on the best device (and the CPU where said):
- section 7's training: the tutorial's 3 epochs, one image at a time, and its accuracy;
- the hidden-size curve from 200 to 5000 nodes on the CPU and the accelerator, as
  scaling-<device>.json (what section 7 plots, through mnisttutor.results);
- the per-image step (sgd_step) replayed as a CUDA graph (torch.cuda.graph) against
  the same step run eagerly, with the weights of both compared;
- matrix products from 64 to 8192 on a side, on the CPU and the accelerator;
- section 7's mini-batch run: the same network, MINIBATCH["batch_size"] images a step, on
  the CPU (every core) and the accelerator.
Everything else goes to gpu-<device>.json, one row per measurement, each row naming
its "benchmark" and "device". Every time is mnisttutor.timing.best_time's.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import common
import scaling
import torch

from mnisttutor import (
    Classifier,
    best_device,
    cpu_threads,
    evaluate,
    sgd_step,
    train_minibatch,
    train_per_sample,
)
from mnisttutor.timing import Stopwatch, best_time

FULL = {
    "epochs": 3,
    "hidden": scaling.HIDDEN,
    "steps": 300,
    "graph_images": 3000,
    "matmul": (64, 128, 256, 512, 1024, 2048, 4096, 8192),
    "cpu_matmul_max": 2048,
    "minibatch_epochs": 3,
}
DRY = {
    "epochs": 1,
    "hidden": (8, 16),
    "steps": 5,
    "graph_images": 10,
    "matmul": (16, 32),
    "cpu_matmul_max": 32,
    "minibatch_epochs": 1,
}
# Section 7's motorway: the tutorial's network on mini-batches. BCELoss averages over the
# batch, so the learning rate grows with the batch to keep each image's share of a step
# the tutorial's 0.01. At 1000 images a step an H200 beat its 16-core host; at 100 the
# launches still cost more than the sums (results/minibatch-sweep-cuda.json).
MINIBATCH = {"batch_size": 1000, "lr": 10.0}


def training_row(device, train, test, epochs: int) -> dict:
    """Section 7's training on ``device``: the tutorial's loop, ``epochs`` passes."""
    torch.manual_seed(0)
    C = Classifier().to(device)
    data = train.to(device)
    with Stopwatch(device) as watch:  # one whole run: nothing to warm up or repeat
        train_per_sample(C, data, epochs, progress=False)
    train.to("cpu")
    return {
        "benchmark": "training",
        "device": str(device),
        "epochs": epochs,
        "images": len(train),
        "seconds": round(watch.seconds, 2),
        "test_accuracy": round(evaluate(C, test), 4),
    }


def graph_rows(device, train, images: int) -> list[dict]:
    """``sgd_step`` per image, eager and (on CUDA) replayed as one captured CUDA graph."""
    torch.manual_seed(0)
    start = [p.detach().clone() for p in Classifier().parameters()]
    xs, ts = train.images[:images].to(device), train.targets[:images].to(device)

    def weights():
        return [w.clone().to(device) for w in start]

    eager = weights()
    pairs = itertools.cycle(zip(xs, ts, strict=True))
    with torch.no_grad():
        seconds = best_time(
            lambda: sgd_step(*next(pairs), *eager, 0.01),
            device=device,
            warmup=0,
            rounds=1,
            number=images,
        )
    rows = [
        {
            "benchmark": "per_image_step",
            "device": str(device),
            "mode": "eager",
            "step": "sgd_step",  # the hand-written step, not Classifier.train
            "images": images,
            "us_per_image": round(seconds * 1e6, 2),  # best_time: seconds per call
            "max_weight_difference": 0.0,
        }
    ]
    graphed = weights()
    row = {
        "benchmark": "per_image_step",
        "device": str(device),
        "mode": "cuda_graph",
        "step": "sgd_step",
        "images": images,
        "us_per_image": None,
        "max_weight_difference": None,
    }
    if device.type != "cuda":  # CUDA graphs are a CUDA feature
        rows.append({**row, "note": f"not measured: CUDA graphs need a CUDA device, not {device}"})
        return rows
    x, t = xs[0].clone(), ts[0].clone()  # the graph's fixed inputs, refilled per image
    with torch.no_grad():
        stream = torch.cuda.Stream()  # capture wants a warmed-up side stream
        stream.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(stream):
            probe = weights()
            for _ in range(3):
                sgd_step(x, t, *probe, 0.01)
        torch.cuda.current_stream().wait_stream(stream)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            sgd_step(x, t, *graphed, 0.01)
        order = itertools.cycle(range(images))

        def replay():
            i = next(order)
            x.copy_(xs[i])
            t.copy_(ts[i])
            graph.replay()

        seconds = best_time(replay, device=device, warmup=0, rounds=1, number=images)
    gap = max((a - b).abs().max().item() for a, b in zip(eager, graphed, strict=True))
    rows.append({**row, "us_per_image": round(seconds * 1e6, 2), "max_weight_difference": gap})
    return rows


def matmul_rows(device, sizes) -> list[dict]:
    rows = []
    for size in sizes:
        a, b = (torch.rand(size, size, device=device) for _ in range(2))
        seconds = best_time(
            lambda a=a, b=b: a @ b,
            device=device,
            rounds=3,
            number=max(1, 2**27 // size**3),
        )
        rows.append(
            {
                "benchmark": "matmul",
                "device": str(device),
                "size": size,
                "seconds": seconds,
                "gflops": round(2 * size**3 / seconds / 1e9, 1),
            }
        )
    return rows


def minibatch_row(device, train, test, epochs: int) -> dict:
    """Section 7's network trained ``epochs`` passes on mini-batches, on ``device``."""
    data = train.to(device)
    warm = Classifier(lr=MINIBATCH["lr"]).to(device)  # first kernels, cuBLAS handles
    train_minibatch(warm, data, 1, batch_size=len(train) // 10, progress=False)
    torch.manual_seed(0)
    C = Classifier(lr=MINIBATCH["lr"]).to(device)
    with Stopwatch(device) as watch:
        train_minibatch(C, data, epochs, batch_size=MINIBATCH["batch_size"], progress=False)
    train.to("cpu")
    return {
        "benchmark": "minibatch",
        "device": str(device),
        "epochs": epochs,
        "images": len(train),
        **MINIBATCH,
        "torch_threads": torch.get_num_threads(),
        "seconds": round(watch.seconds, 3),
        "test_accuracy": round(evaluate(C, test.to(device)), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="tiny sizes, on the CPU as if it were the accelerator",
    )
    parser.add_argument("--output", type=Path, default=common.RESULTS, help="results folder")
    args = parser.parse_args()
    cpu, device = torch.device("cpu"), best_device()
    if args.dry_run:
        device, sizes = cpu, DRY
    elif device == cpu:
        print("gpu.py: no accelerator on this machine; nothing recorded.")
        sys.exit(0)
    else:
        sizes = FULL
    train, test, _ = common.load_data()
    with cpu_threads(1):  # per-image steps, as section 7 and the other benchmarks
        rows = [training_row(device, train, test.to(device), sizes["epochs"])]
        print(rows[-1], flush=True)
        rows += graph_rows(device, train, sizes["graph_images"])
        print(*rows[-2:], sep="\n", flush=True)
        images, targets = train.images[: sizes["steps"]], train.targets[: sizes["steps"]]
        for d in dict.fromkeys([cpu, device]):
            curve = scaling.scaling_rows(d, sizes["hidden"], images, targets, sizes["steps"])
            record = {
                **common.environment([d]),
                "steps_timed": sizes["steps"],
                "rounds": scaling.ROUNDS,
            }
            common.write_results(args.output / f"scaling-{d.type}.json", record, curve)
    # Matrix products and mini-batches use every core.
    rows += matmul_rows(cpu, [s for s in sizes["matmul"] if s <= sizes["cpu_matmul_max"]])
    if device != cpu:
        rows += matmul_rows(device, sizes["matmul"])
    for d in dict.fromkeys([cpu, device]):
        rows.append(minibatch_row(d, train, test, sizes["minibatch_epochs"]))
        print(rows[-1], flush=True)
    record = {**common.environment(list(dict.fromkeys([cpu, device]))), "dry_run": args.dry_run}
    common.write_results(args.output / f"gpu-{device.type}.json", record, rows)


if __name__ == "__main__":
    main()
