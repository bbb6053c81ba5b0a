"""The browser's training kernels against the original tutorial code and the fast path.

    python benchmarks/browser.py            # the recorded run
    python benchmarks/browser.py --quick    # development: fewer images for the slow paths

In one run, from the same initial weights (section 6's: seed 0, ``Classifier()``):

- ``original``: benchmarks/original_tutorial.py, the published code, on the first
  ``--original-images`` images (it takes about a millisecond an image; the µs per image
  is what counts);
- ``fast``: :func:`mnisttutor.train_per_sample_fast` (numba), 3 epochs, after a first
  call that compiles;
- ``node-wasm`` and ``node-js``: the page's kernels (docs/_static/train/kernel.js) under
  Node, 3 epochs for WebAssembly and ``--js-epochs`` for JavaScript;
- ``chromium-wasm`` and ``chromium-js``: the same in headless Chromium, on the built
  site's "Train it yourself" page (its Web Worker, the MNIST files it fetches), when the
  site is built (``nox -s docs``).

The paths run one after another, so the machine's load is sampled (``os.getloadavg``)
before and after each. Results go to benchmarks/results/browser.json and .csv.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import common
import numpy as np
import original_tutorial
import torch
from torch.utils.data import Subset

from mnisttutor import Classifier, evaluate, fetch_mnist, train_per_sample_fast

KERNEL_WAT = common.REPO / "docs" / "_static" / "train" / "kernel.wat"
NODE_SCRIPT = Path(__file__).resolve().parent / "browser_kernel.js"
SITE = common.REPO / "docs" / "_build" / "html"
TRAIN_IMAGES = 60_000


def initial_classifier(cls=Classifier):
    torch.manual_seed(0)  # section 6's page: torch.manual_seed(0), then Classifier()
    weights = Classifier().state_dict()
    classifier = cls()
    classifier.load_state_dict(weights)
    return classifier


def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def row(path, images, seconds, cpu_seconds=None, accuracy=None, **extra):
    load = os.getloadavg()[0]
    return {
        "path": path,
        "images": images,
        "seconds": round(seconds, 3),
        "us_per_image": round(seconds / images * 1e6, 2),
        "cpu_seconds": None if cpu_seconds is None else round(cpu_seconds, 3),
        "cpu_us_per_image": None if cpu_seconds is None else round(cpu_seconds / images * 1e6, 2),
        "seconds_3_epochs": round(seconds / images * 3 * TRAIN_IMAGES, 2),
        "test_accuracy": accuracy,
        "load_after": round(load, 2),
        **extra,
    }


def original(files, n):
    dataset = original_tutorial.MnistDataset(files.train)
    C = initial_classifier(original_tutorial.Classifier)
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        _, wall, cpu = timed(lambda: original_tutorial.train(C, Subset(dataset, range(n)), 1))
    return row("original", n, wall, cpu)


def fast(train, test):
    C = initial_classifier()
    first = SimpleNamespace(images=train.images[:1], targets=train.targets[:1])
    train_per_sample_fast(C, first, 1, progress=False)  # compiles; then start again
    C = initial_classifier()
    _, wall, cpu = timed(lambda: train_per_sample_fast(C, train, 3, progress=False))
    return row("fast", 3 * len(train), wall, cpu, round(evaluate(C, test), 4))


def node(kind, epochs, wasm, weights, mnist_dir):
    out = subprocess.run(
        ["node", NODE_SCRIPT, wasm, mnist_dir, weights, kind, str(epochs)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    accuracy = result["accuracy"] if epochs == 3 else None
    return row(f"node-{kind}", epochs * TRAIN_IMAGES, result["seconds"], result["cpu_seconds"],
               accuracy)  # fmt: skip


def chromium(kind, steps):
    sys.path.insert(0, str(common.REPO / "tests" / "site"))
    import sitecheck

    with tempfile.TemporaryDirectory() as profile, sitecheck.LocalServer(SITE) as url:
        browser = sitecheck.start_browser(Path(profile))
        browser.set_script_timeout(600)
        try:
            browser.get(f"{url}train.html?kernel={kind}")
            browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "window.mnistTrain.started.then(() => done(true));"
            )
            done = browser.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                f"window.mnistTrain.train({{limit: {steps}}}).then(done);"
            )
            scores = browser.find_element("css selector", ".mnist-train__scores").text
        finally:
            browser.quit()
    last = scores.strip().splitlines()[-1] if scores.strip() else ""
    accuracy = (
        round(float(last.rsplit(" ", 1)[1].rstrip("%")) / 100, 4)
        if steps == 3 * TRAIN_IMAGES
        else None
    )
    return row(f"chromium-{kind}", done["steps"], done["seconds"], None, accuracy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer images for the slow paths")
    parser.add_argument("--original-images", type=int, default=6000)
    parser.add_argument("--js-epochs", type=int, default=1)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    if args.quick:
        args.original_images, args.js_epochs = 1000, 1
    torch.set_num_threads(1)  # per-image steps; the browser's worker has one thread too
    load_before = round(os.getloadavg()[0], 2)

    train, test, files = common.load_data()
    mnist = fetch_mnist(progress=False)
    mnist_dir = mnist.train_images.parent
    if shutil.which("node") is None:
        sys.exit("node is needed (Node.js 18 or newer) to run the browser kernels")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        import wasmtime

        wasm = Path(tmp) / "kernel.wasm"
        wasm.write_bytes(wasmtime.wat2wasm(KERNEL_WAT.read_text()))
        weights = Path(tmp) / "weights.bin"
        np.concatenate(
            [p.detach().numpy().ravel() for p in initial_classifier().parameters()]
        ).astype("<f4").tofile(weights)
        for measure in (
            lambda: original(files, args.original_images),
            lambda: fast(train, test),
            lambda: node("wasm", 3, wasm, weights, mnist_dir),
            lambda: node("js", args.js_epochs, wasm, weights, mnist_dir),
        ):
            rows.append(measure())
            print(rows[-1], flush=True)
    if (SITE / "train.html").is_file():
        for kind, steps in (("wasm", 3 * TRAIN_IMAGES), ("js", args.js_epochs * TRAIN_IMAGES)):
            rows.append(chromium(kind, steps))
            print(rows[-1], flush=True)
    else:
        print(f"no built site at {SITE}: the Chromium paths are left out", flush=True)
    by_path = {r["path"]: r for r in rows}
    for r in rows:
        for base in ("original", "fast"):
            r[f"speedup_vs_{base}"] = round(by_path[base]["us_per_image"] / r["us_per_image"], 2)
            if r["cpu_us_per_image"] and by_path[base]["cpu_us_per_image"]:
                r[f"cpu_speedup_vs_{base}"] = round(
                    by_path[base]["cpu_us_per_image"] / r["cpu_us_per_image"], 2
                )
    record = common.environment([torch.device("cpu")])
    record["run"] = {
        "note": "one run, paths one after another; seconds_3_epochs is us_per_image times "
        "180,000 (measured for the 3-epoch paths); the Chromium rows time the worker's "
        "training only (not fetching MNIST, not scoring); cpu_* where the process's CPU "
        "time is known",
        "node": subprocess.run(
            ["node", "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "load_before": load_before,
    }
    out = args.output or common.default_output("browser", args.quick)
    common.write_results(out, record, rows)


if __name__ == "__main__":
    main()
