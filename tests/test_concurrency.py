"""Real processes fetching and writing at once, and downloads killed half-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from mnisttutor import csvfiles, data

pytestmark = pytest.mark.slow  # real processes, each importing torch

# A child process: point the checksum table at the test's files, wait for the starting
# gun, then fetch. Printing the paths lets the test compare what every process got.
CHILD = """
import json, os, pathlib, sys, time
from mnisttutor import csvfiles, data
specs, mirror, go, what = json.loads(sys.argv[1])
data.MNIST_FILES = tuple(data.MnistFile(k, n, h, tuple(s)) for k, n, h, s in specs)
pathlib.Path(f"{go}.ready.{os.getpid()}").touch()  # imported, at the starting line
while not pathlib.Path(go).exists():
    time.sleep(0.01)
if what == "fetch":
    print(json.dumps([str(p) for p in data.fetch_mnist(mirrors=(mirror,), progress=False)]))
else:
    print(json.dumps([str(p) for p in csvfiles.fetch_mnist_csv(mirror, progress=False)]))
"""


def _start(args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _specs():
    return [[s.key, s.name, s.sha256, list(s.shape)] for s in data.MNIST_FILES]


@pytest.mark.parametrize("what", ["fetch", "csv"])
def test_parallel_processes_all_succeed_and_leave_one_good_copy(synthetic, serve, tmp_path, what):
    go = tmp_path / "go"
    mirror = serve(synthetic, delay=0.2) if what == "fetch" else str(synthetic)
    children = [_start([_specs(), mirror, str(go), what]) for _ in range(4)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready.*"))) < len(children):  # all at the starting line
        assert time.monotonic() < deadline, "the children never got ready"
        time.sleep(0.01)
    go.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        results.append(json.loads(out))
    assert all(r == results[0] for r in results)
    folder = data.cache_dir() / ("mnist" if what == "fetch" else "csv")
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
    if what == "fetch":
        assert sorted(p.name for p in folder.glob("*.gz")) == sorted(
            f"{s.name}.gz" for s in data.MNIST_FILES
        )
        data.fetch_mnist(mirrors=())  # every stored file verifies
    else:
        assert sorted(p.name for p in folder.glob("*.csv")) == ["mnist_test.csv", "mnist_train.csv"]
        names = csvfiles.CSV_NAMES.values()
        assert all(csvfiles.csv_is_fresh(folder / name, verify=True) for name in names)


def test_a_download_killed_half_way_leaves_nothing_that_passes(synthetic, serve, tmp_path):
    stalled = f"{data.MNIST_FILES[0].name}.gz"
    go = tmp_path / "go"
    go.touch()
    child = _start([_specs(), serve(synthetic, stall={stalled}), str(go), "fetch"])
    cache = data.cache_dir() / "mnist"
    deadline = time.monotonic() + 60
    while not list(cache.glob(f".{stalled}.*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(cache.glob(f".{stalled}.*.part")), "the download never started"
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    assert not (cache / stalled).exists()
    with pytest.raises(data.DataNotFoundError):
        data.fetch_mnist(mirrors=())  # the partial file is never taken for the real one
    files = data.fetch_mnist(mirrors=(serve(synthetic),))
    assert files.train_images == cache / stalled
    assert not list(cache.glob("*.part"))  # the killed run's leftovers are cleaned up


def test_an_unwritable_data_folder_is_a_clear_error(synthetic, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(data.DataNotFoundError, match="cannot write to"):
        data.fetch_mnist(blocker / "mnist", mirrors=("http://127.0.0.1:9/",))
