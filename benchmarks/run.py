"""The original tutorial's code against the package's training paths, side by side.

    python benchmarks/run.py            # the recorded run: 3 full epochs per path
    python benchmarks/run.py --quick    # development: 5% of an epoch, extrapolated

Every path trains from the same initial weights on the same CSV files, in one run, with
the same torch thread setting, so the ratios compare like with like even on a busy
machine. Reading the CSVs is not timed; each path's training loop and the test are.
Results go to benchmarks/results/paths.json and .csv with the machine, the versions and
the date.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
import warnings
from functools import partial
from types import SimpleNamespace

import common
import original_tutorial
import torch
from torch import nn
from torch.utils.data import Subset

from mnisttutor import (
    Classifier,
    evaluate,
    train_minibatch,
    train_per_sample,
    train_per_sample_fast,
)
from mnisttutor.profiling import synchronize
from mnisttutor.training import sgd_step

QUICK_FRACTION = 0.05
MINIBATCH = {"batch_size": 64, "lr": 0.003, "lr_decay": True}


def _head(dataset, n: int, device) -> SimpleNamespace:
    """The first ``n`` images of ``dataset`` (all of them for n = None), on ``device``."""
    return SimpleNamespace(
        images=dataset.images[:n].to(device), targets=dataset.targets[:n].to(device)
    )


def _tutorial_weights(seed: int) -> dict:
    torch.manual_seed(seed)
    return Classifier().state_dict()


def original(ctx) -> dict:
    """The published code: pandas .iloc for every item, the nn.Module per sample."""
    train_ds = original_tutorial.MnistDataset(ctx.files.train)
    test_ds = original_tutorial.MnistDataset(ctx.files.test)
    if ctx.n is not None:
        train_ds = Subset(train_ds, range(ctx.n))  # iterates until IndexError, as a Dataset does
    C = original_tutorial.Classifier()
    C.load_state_dict(ctx.weights)  # the same start as every other path
    if ctx.device.type != "cpu":
        # The published GPU notebook made every tensor on the GPU by default.
        C.to(ctx.device)
        train_ds = _MovedItems(train_ds, ctx.device)
        test_ds = _MovedItems(test_ds, ctx.device)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        # Quiet its "counter = " lines and torch's warning about its read-only arrays.
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        seconds = _timed(lambda: original_tutorial.train(C, train_ds, ctx.epochs), ctx.device)
        cpu = _timed.cpu
        accuracy = original_tutorial.score(C, test_ds)
    return {"seconds": seconds, "cpu_seconds": cpu, "accuracy": accuracy}


class _MovedItems:
    """A dataset whose items are moved to ``device``: the original's GPU variant."""

    def __init__(self, dataset, device):
        self.dataset, self.device = dataset, device

    def __getitem__(self, index):
        label, image, target = self.dataset[index]
        return label, image.to(self.device), target.to(self.device)


def tensor_dataset(ctx) -> dict:
    """The same nn.Module step, fed from the package's tensors built once."""
    C = Classifier().to(ctx.device)
    C.load_state_dict(ctx.weights)
    data = _head(ctx.train, ctx.n, ctx.device)
    seconds = _timed(lambda: train_per_sample(C, data, ctx.epochs, progress=False), ctx.device)
    return {"seconds": seconds, "cpu_seconds": _timed.cpu, "accuracy": evaluate(C, ctx.test)}


def hand_written(ctx, step=None, compiled: bool = False) -> dict:
    """train_per_sample_fast: by default skipping blank pixels; or ``step`` over all of them,
    compiled with torch.compile when ``compiled``."""
    C = Classifier().to(ctx.device)
    C.load_state_dict(ctx.weights)
    data = _head(ctx.train, ctx.n, ctx.device)
    compile_seconds = None
    if compiled:
        step = torch.compile(step, fullgraph=True, dynamic=False)
        start = time.perf_counter()
        with torch.no_grad():  # compiles on the first call
            step(data.images[0], data.targets[0], *C.parameters(), 0.01)
        synchronize(ctx.device)
        compile_seconds = time.perf_counter() - start
        C.load_state_dict(ctx.weights)  # undo that step: start where the others do
    seconds = _timed(
        lambda: train_per_sample_fast(C, data, ctx.epochs, step=step, progress=False), ctx.device
    )
    return {
        "seconds": seconds,
        "cpu_seconds": _timed.cpu,
        "accuracy": evaluate(C, ctx.test),
        "compile_s": compile_seconds,
    }


def minibatch(ctx) -> dict:
    """The tutorial author's refined network on shuffled mini-batches of 64."""
    torch.manual_seed(ctx.seed)
    C = Classifier(
        activation=partial(nn.LeakyReLU, 0.02),
        output_activation=nn.Sigmoid,
        layer_norm=True,
        optimiser=torch.optim.Adam,
        lr=MINIBATCH["lr"],
    ).to(ctx.device)
    data = _head(ctx.train, ctx.n, ctx.device)
    seconds = _timed(
        lambda: train_minibatch(
            C,
            data,
            ctx.epochs,
            batch_size=MINIBATCH["batch_size"],
            lr_decay=MINIBATCH["lr_decay"],
            seed=ctx.seed,
            progress=False,
        ),
        ctx.device,
    )
    return {"seconds": seconds, "cpu_seconds": _timed.cpu, "accuracy": evaluate(C, ctx.test)}


PATHS = {
    "original": ("the original code as published (pandas per item, nn.Module)", original),
    "tensor_dataset": ("the package's Classifier + MnistDataset (tensors)", tensor_dataset),
    "hand_written": (
        "hand-written update, same maths, eager (sgd_step)",
        partial(hand_written, step=sgd_step),
    ),
    "compiled": (
        "the same update, compiled (torch.compile(sgd_step))",
        partial(hand_written, step=sgd_step, compiled=True),
    ),
    "fast": (
        "the same update, skipping blank pixels (train_per_sample_fast)",
        hand_written,
    ),
    "minibatch": ("mini-batches of 64: LeakyReLU, LayerNorm, Adam, lr decay", minibatch),
}


def _timed(work, device) -> float:
    """Wall seconds for ``work()``; the process's CPU seconds go to ``_timed.cpu``."""
    synchronize(device)
    start, cpu_start = time.perf_counter(), time.process_time()
    work()
    synchronize(device)
    _timed.cpu = time.process_time() - cpu_start
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    common.add_common_arguments(parser)
    parser.add_argument(
        "--quick",
        nargs="?",
        const=QUICK_FRACTION,
        type=float,
        metavar="FRACTION",
        help=f"train on this fraction of one epoch (default {QUICK_FRACTION}) and extrapolate "
        "the time to the full run; accuracies are then after that short training",
    )
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0, help="seeds the initial weights")
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS))
    args = parser.parse_args()
    if args.quick is not None and not 0 < args.quick <= 1:
        parser.error("--quick takes a fraction of an epoch, between 0 and 1")
    common.set_threads(args.threads)

    train, test, files = common.load_data()
    full_images = args.epochs * len(train)
    n = None if args.quick is None else max(1, round(args.quick * len(train)))
    epochs = args.epochs if n is None else 1
    measured = common.devices(args.device)
    rows = []
    for device in measured:
        ctx = SimpleNamespace(
            train=train,
            test=test.to(device),
            files=files,
            device=device,
            n=n,
            epochs=epochs,
            seed=args.seed,
            weights=_tutorial_weights(args.seed),
        )
        baseline = None  # the original's (wall, CPU) us per image
        for name in args.paths:
            label, run = PATHS[name]
            print(f"[{device}] {label} ...", flush=True)
            result = run(ctx)
            images = epochs * (n or len(train))
            us_per_image = result["seconds"] / images * 1e6
            cpu_us_per_image = result["cpu_seconds"] / images * 1e6
            full_seconds = us_per_image * full_images / 1e6
            if name == "original":
                baseline = (us_per_image, cpu_us_per_image)
            rows.append(
                {
                    "device": str(device),
                    "path": name,
                    "label": label,
                    "images_timed": images,
                    "seconds_timed": round(result["seconds"], 3),
                    "us_per_image": round(us_per_image, 2),
                    "cpu_us_per_image": round(cpu_us_per_image, 2),
                    "seconds_full_run": round(full_seconds, 2),
                    "extrapolated": n is not None,
                    "speedup_vs_original": _ratio(baseline, 0, us_per_image),
                    "cpu_speedup_vs_original": _ratio(baseline, 1, cpu_us_per_image),
                    "test_accuracy": round(result["accuracy"], 4),
                    "compile_s": None
                    if result.get("compile_s") is None
                    else round(result["compile_s"], 2),
                }
            )
            _print_row(rows[-1])
        test.to("cpu")
    record = common.environment(measured)
    record["run"] = {
        "epochs": args.epochs,
        "train_images": len(train),
        "quick_fraction": args.quick,
        "seed": args.seed,
        "minibatch": MINIBATCH,
        "note": "time excludes reading the CSVs; seconds_full_run is extrapolated from "
        "images_timed when extrapolated is true, and the accuracy is then after that "
        "short training",
    }
    common.write_results(args.output or common.default_output("paths", n is not None), record, rows)


def _ratio(baseline, which: int, value: float) -> float | None:
    return None if baseline is None else round(baseline[which] / value, 2)


def _print_row(row: dict) -> None:
    def x(ratio):
        return "   -  " if ratio is None else f"{ratio:5.1f}x"

    est = " (extrapolated)" if row["extrapolated"] else ""
    print(
        f"    {row['us_per_image']:8.1f} us/image, {row['seconds_full_run']:7.1f} s for the "
        f"full run{est}, {x(row['speedup_vs_original'])} faster than the original "
        f"(CPU time: {row['cpu_us_per_image']:.1f} us/image, "
        f"{x(row['cpu_speedup_vs_original'])}), test accuracy {row['test_accuracy']:.4f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
