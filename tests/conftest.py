"""Shared fixtures: small synthetic MNIST files, a local HTTP mirror, and the real data."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from mnisttutor import csvfiles, data
from mnisttutor.data import MnistFile
from mnisttutor.idx import write_idx

SYNTHETIC_SIZES = {"train": 60, "test": 20}


def make_synthetic_mnist(folder: Path, seed: int = 0) -> tuple[MnistFile, ...]:
    """Write four small MNIST-shaped IDX files (gzip) and return their table entries."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    specs = []
    for spec in data.MNIST_FILES:
        split = "train" if spec.key.startswith("train") else "test"
        n = SYNTHETIC_SIZES[split]
        if spec.key.endswith("images"):
            array = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        else:
            array = rng.integers(0, 10, size=n, dtype=np.uint8)
        raw = folder / spec.name
        write_idx(raw, array)
        content = raw.read_bytes()
        raw.unlink()
        (folder / f"{spec.name}.gz").write_bytes(gzip.compress(content))
        specs.append(
            MnistFile(spec.key, spec.name, hashlib.sha256(content).hexdigest(), array.shape)
        )
    return tuple(specs)


@pytest.fixture
def make_synthetic():
    """:func:`make_synthetic_mnist`, for tests that need a second, different set."""
    return make_synthetic_mnist


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    """A folder of synthetic MNIST files, with the package's checksum table pointed at them.

    Also isolates the cache and the data-dir variable so no test touches the user's.
    """
    source = tmp_path / "source"
    specs = make_synthetic_mnist(source)
    monkeypatch.setattr(data, "MNIST_FILES", specs)
    monkeypatch.setenv(data.CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(data.DATA_DIR_ENV, raising=False)
    return source


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder after ``server.delay`` seconds.

    A file listed in ``server.truncate`` is cut short mid-body; one in ``server.stall``
    sends half its body, then hangs until the server stops.
    """

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        time.sleep(self.server.delay)
        name = self.path.rsplit("/", 1)[-1]
        if name not in self.server.stall | self.server.truncate:
            super().do_GET()
            return
        body = (Path(self.directory) / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))  # promises the whole body
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        if name in self.server.stall:
            self.server.stopping.wait(timeout=30)
        self.close_connection = True


@pytest.fixture
def serve():
    """``serve(folder, truncate=(), stall=(), delay=0)`` serves on 127.0.0.1; returns the URL."""
    servers = []

    def start(folder: Path, truncate=(), stall=(), delay=0.0) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(_Handler, directory=str(folder))
        )
        server.daemon_threads = True
        server.truncate, server.stall, server.delay = set(truncate), set(stall), delay
        server.stopping = threading.Event()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["fork", "in-process"])
def isolation(request, monkeypatch):
    """Each exercise check run both ways: in a forked child, and in-process (where a
    platform has no fork)."""
    from mnisttutor.exercises import _isolation

    if request.param == "fork" and not _isolation.can_fork():
        pytest.skip("no fork on this platform")
    monkeypatch.setattr(_isolation, "FORK", request.param == "fork")
    return request.param


@pytest.fixture(scope="session")
def real_csv(tmp_path_factory):
    """The tutorial's CSVs made from the real MNIST files; skips where there are none."""
    try:
        files = data.fetch_mnist(mirrors=())
    except data.DataNotFoundError as exc:
        if os.environ.get("MNISTTUTOR_REQUIRE_FULL_DATA"):  # CI: a skip would hide a gap
            pytest.fail(f"MNISTTUTOR_REQUIRE_FULL_DATA is set but: {exc}")
        pytest.skip(f"the real MNIST files are not here: {str(exc).split(' (')[0]}")
    return csvfiles.fetch_mnist_csv(files.train_images.parent, progress=False)
