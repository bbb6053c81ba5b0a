"""The original tutorial's code against the package's training paths, side by side.

    python benchmarks/run.py            # the recorded run: 3 full epochs per path
    python benchmarks/run.py --quick    # development: 5% of an epoch, extrapolated

Every path trains from the same initial weights on the same CSV files, in one run, with
the same torch thread setting. The per-image paths take turns: the run is cut into
rounds of ``--round-images`` images, and in each round every path trains on the same
images, in a rotating order, so a change in the machine's load falls on all of them
alike. Each row gives the mean speed over all rounds and the best round's (the least
disturbed, as ``timeit`` reports), with wall-clock and CPU time. The mini-batch path
trains whole runs, ``--minibatch-repeats`` times, spread over the rounds. Reading the
CSVs is not timed. Results go to benchmarks/results/paths.json and .csv with the
machine, the versions and the date.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import time
import warnings
from functools import partial
from types import SimpleNamespace

import common
import original_tutorial
import torch
from torch.utils.data import Subset

from mnisttutor import (
    Classifier,
    RefinedClassifier,
    evaluate,
    train_minibatch,
    train_per_sample,
    train_per_sample_fast,
)
from mnisttutor.timing import best_time
from mnisttutor.training import sgd_step

QUICK_FRACTION = 0.05
ROUND_IMAGES = 6000
MINIBATCH = {"batch_size": 64, "lr": 0.003, "lr_decay": True}


def _tutorial_classifier(ctx, cls=Classifier):
    C = cls().to(ctx.device)
    C.load_state_dict(ctx.weights)  # the same start for every path
    return C


class Original:
    """The published code: pandas .iloc for every item, the nn.Module per sample."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.train_ds = original_tutorial.MnistDataset(ctx.files.train)
        self.test_ds = original_tutorial.MnistDataset(ctx.files.test)
        self.C = _tutorial_classifier(ctx, original_tutorial.Classifier)

    def _quietly(self):
        # Its "counter = " and "training epoch" lines, and torch's warning about its
        # read-only arrays.
        stack = contextlib.ExitStack()
        stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        stack.enter_context(warnings.catch_warnings())
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        return stack

    def train(self, start, stop):
        # A Subset iterates until IndexError, as the tutorial's Dataset did.
        part = _Moved(Subset(self.train_ds, range(start, stop)), self.ctx.device)
        with self._quietly():
            original_tutorial.train(self.C, part, 1)

    def accuracy(self):
        # The published scoring cell calls .numpy() on the network's output, which only
        # works on the CPU: score a CPU copy, as the GPU notebook's reader must.
        C = copy.deepcopy(self.C).to("cpu")
        with self._quietly():
            return original_tutorial.score(C, self.test_ds)


class _Moved:
    """Items moved to the device, as the published GPU notebook made them (no-op on CPU)."""

    def __init__(self, dataset, device):
        self.dataset, self.device = dataset, device

    def __getitem__(self, index):
        label, image, target = self.dataset[index]
        return label, image.to(self.device), target.to(self.device)


class TensorDataset:
    """The same nn.Module step, fed from the package's tensors built once."""

    def __init__(self, ctx):
        self.ctx, self.C = ctx, _tutorial_classifier(ctx)
        self.images, self.targets = (
            ctx.train.images.to(ctx.device),
            ctx.train.targets.to(ctx.device),
        )

    def _part(self, start, stop):
        return SimpleNamespace(images=self.images[start:stop], targets=self.targets[start:stop])

    def train(self, start, stop):
        train_per_sample(self.C, self._part(start, stop), 1, progress=False)

    def accuracy(self):
        return evaluate(self.C, self.ctx.test)


class HandWritten(TensorDataset):
    """train_per_sample_fast: ``step=None`` for its default (on the CPU, the whole loop
    compiled by numba); or ``step`` per image, compiled with torch.compile when
    ``compiled``. A first call that compiles is made and timed apart, then undone."""

    def __init__(self, ctx, step=None, compiled=False):
        super().__init__(ctx)
        self.step, self.compile_s = step, None
        if compiled:
            self.step = torch.compile(step, fullgraph=True, dynamic=False)
        if compiled or (step is None and ctx.device.type == "cpu"):
            # compiles on the first call
            self.compile_s = best_time(
                lambda: self.train(0, 1), device=ctx.device, warmup=0, rounds=1
            )
            self.C = _tutorial_classifier(ctx)  # undo that step

    def train(self, start, stop):
        part = self._part(start, stop)
        train_per_sample_fast(self.C, part, 1, step=self.step, progress=False)


def minibatch_run(ctx):
    """The tutorial author's refined network, whole runs on shuffled mini-batches of 64."""
    torch.manual_seed(ctx.seed)
    C = RefinedClassifier(lr=MINIBATCH["lr"]).to(ctx.device)
    data = SimpleNamespace(
        images=ctx.train.images[: ctx.n].to(ctx.device),
        targets=ctx.train.targets[: ctx.n].to(ctx.device),
    )
    options = {k: MINIBATCH[k] for k in ("batch_size", "lr_decay")}
    wall, cpu = _timed(
        lambda: train_minibatch(C, data, ctx.epochs, seed=ctx.seed, progress=False, **options),
        ctx.device,
    )
    return wall, cpu, evaluate(C, ctx.test)


PATHS = {
    "original": ("the original code as published (pandas per item, nn.Module)", Original),
    "tensor_dataset": ("the package's Classifier + MnistDataset (tensors)", TensorDataset),
    "hand_written": (
        "hand-written update, same maths, eager (sgd_step)",
        partial(HandWritten, step=sgd_step),
    ),
    "compiled": (
        "the same update, each step compiled (torch.compile(sgd_step))",
        partial(HandWritten, step=sgd_step, compiled=True),
    ),
    "fast": (
        "the whole loop compiled, skipping blank pixels (train_per_sample_fast)",
        HandWritten,
    ),
    "minibatch": ("mini-batches of 64: LeakyReLU, LayerNorm, Adam, lr decay", None),
}


def _timed(work, device) -> tuple[float, float]:
    """Wall and CPU seconds for one ``work()``, waiting for the device at both ends."""
    cpu_start = time.process_time()
    wall = best_time(work, device=device, warmup=0, rounds=1)
    return wall, time.process_time() - cpu_start


def measure(ctx, names, round_images, minibatch_repeats) -> dict:
    """Per path: lists of (images, wall s, CPU s) per round, and the test accuracy."""
    per_image = [n for n in names if n != "minibatch"]
    trainers = {}
    for name in per_image:
        print(f"[{ctx.device}] preparing {name}", flush=True)
        trainers[name] = PATHS[name][1](ctx)
    n = ctx.n or len(ctx.train)
    rounds = [
        (start, min(start + round_images, n))
        for _ in range(ctx.epochs)
        for start in range(0, n, round_images)
    ]
    minibatch_at = set()
    if "minibatch" in names:
        reps = max(1, minibatch_repeats)
        minibatch_at = {int((k + 0.5) * len(rounds) / reps) for k in range(reps)}
    timings = {name: [] for name in names}
    accuracy = {}
    for r, (start, stop) in enumerate(rounds):
        shift = r % max(1, len(per_image))
        for name in per_image[shift:] + per_image[:shift]:
            wall, cpu = _timed(lambda: trainers[name].train(start, stop), ctx.device)  # noqa: B023
            timings[name].append((stop - start, wall, cpu))
        if r in minibatch_at:
            wall, cpu, accuracy["minibatch"] = minibatch_run(ctx)
            timings["minibatch"].append((ctx.epochs * n, wall, cpu))
        print(f"[{ctx.device}] round {r + 1}/{len(rounds)} done", flush=True)
    for name, trainer in trainers.items():
        accuracy[name] = trainer.accuracy()
    compile_s = {name: getattr(t, "compile_s", None) for name, t in trainers.items()}
    return {"timings": timings, "accuracy": accuracy, "compile_s": compile_s}


def rows_for(ctx, names, measured, full_images) -> list[dict]:
    rows, baseline = [], None
    for name in names:
        runs = measured["timings"][name]
        images = sum(i for i, _, _ in runs)
        us = sum(w for _, w, _ in runs) / images * 1e6
        best_us = min(w / i for i, w, _ in runs) * 1e6
        cpu_us = sum(c for _, _, c in runs) / images * 1e6
        if name == "original":
            baseline = {"us": us, "best": best_us, "cpu": cpu_us}

        compile_s = measured["compile_s"].get(name)
        rows.append(
            {
                "device": str(ctx.device),
                "path": name,
                "label": PATHS[name][0],
                "images_timed": images,
                "timed_runs": len(runs),
                "us_per_image": round(us, 2),
                "best_round_us_per_image": round(best_us, 2),
                "cpu_us_per_image": round(cpu_us, 2),
                "seconds_full_run": round(us * full_images / 1e6, 2),
                "best_round_seconds_full_run": round(best_us * full_images / 1e6, 2),
                "extrapolated": ctx.n is not None,
                "speedup_vs_original": _ratio(baseline, "us", us),
                "best_round_speedup_vs_original": _ratio(baseline, "best", best_us),
                "cpu_speedup_vs_original": _ratio(baseline, "cpu", cpu_us),
                "test_accuracy": round(measured["accuracy"][name], 4),
                "compile_s": None if compile_s is None else round(compile_s, 2),
            }
        )
    return rows


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
    parser.add_argument(
        "--round-images",
        type=int,
        default=ROUND_IMAGES,
        help=f"images per round of the per-image paths (default {ROUND_IMAGES})",
    )
    parser.add_argument(
        "--minibatch-repeats", type=int, default=3, help="whole mini-batch runs (default 3)"
    )
    args = parser.parse_args()
    if args.quick is not None and not 0 < args.quick <= 1:
        parser.error("--quick takes a fraction of an epoch, between 0 and 1")
    if args.round_images < 1 or args.epochs < 1:
        parser.error("--round-images and --epochs must be at least 1")
    common.set_threads(args.threads)

    train, test, files = common.load_data()
    n = None if args.quick is None else max(1, round(args.quick * len(train)))
    rows = []
    for device in common.devices(args.device):
        ctx = SimpleNamespace(
            train=train,
            test=test.to(device),
            files=files,
            device=device,
            n=n,
            epochs=args.epochs if n is None else 1,
            seed=args.seed,
            weights=_tutorial_weights(args.seed),
        )
        round_images = args.round_images if n is None else max(1, n // 5)
        measured = measure(ctx, args.paths, round_images, args.minibatch_repeats)
        for row in rows_for(ctx, args.paths, measured, args.epochs * len(train)):
            rows.append(row)
            _print_row(row)
        test.to("cpu")
    record = common.environment(common.devices(args.device))
    record["run"] = {
        "epochs": args.epochs,
        "train_images": len(train),
        "quick_fraction": args.quick,
        "round_images": args.round_images if n is None else max(1, n // 5),
        "minibatch_repeats": args.minibatch_repeats,
        "seed": args.seed,
        "minibatch": MINIBATCH,
        "note": "time excludes reading the CSVs; us_per_image is the mean over all rounds "
        "(or runs), best_round_* the fastest round's; seconds_full_run is extrapolated "
        "when extrapolated is true, and the accuracy is then after that short training",
    }
    common.write_results(args.output or common.default_output("paths", n is not None), record, rows)


def _ratio(baseline: dict | None, key: str, value: float) -> float | None:
    return None if baseline is None else round(baseline[key] / value, 2)


def _tutorial_weights(seed: int) -> dict:
    torch.manual_seed(seed)
    return Classifier().state_dict()


def _print_row(row: dict) -> None:
    def x(ratio):
        return "  -  " if ratio is None else f"{ratio:5.1f}x"

    est = " (extrapolated)" if row["extrapolated"] else ""
    print(
        f"[{row['device']}] {row['label']}\n"
        f"    mean {row['us_per_image']:8.1f} us/image, {row['seconds_full_run']:7.1f} s for "
        f"the full run{est}, {x(row['speedup_vs_original'])} the original's speed\n"
        f"    best round {row['best_round_us_per_image']:8.1f} us/image, "
        f"{x(row['best_round_speedup_vs_original'])}; CPU time {row['cpu_us_per_image']:.1f} "
        f"us/image, {x(row['cpu_speedup_vs_original'])}; test accuracy "
        f"{row['test_accuracy']:.4f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
