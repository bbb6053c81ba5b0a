"""Where a check runs: in a forked child process where the platform can fork, else in
this process with everything a check may touch saved and put back.

A check runs the reader's code, which may loop forever, catch every exception, print
gigabytes, replace ``torch.nn.BCELoss`` or reseed the random generator. In a child
process none of that can reach the reader's notebook: the child sees the reader's
objects as they are (fork copies the process), runs the check, writes its verdict, a
small JSON message, to a pipe and leaves with ``os._exit``, so it runs none of the
notebook's exit handlers. The parent waits at most :data:`TIME_LIMIT` seconds and then
kills the child (SIGKILL cannot be caught or ignored); the child's address space and
output are bounded.

Where fork is missing (Windows) or unsafe (an accelerator's runtime is initialised in
this process: CUDA, XPU and Metal do not survive a fork), the check runs here, with a
soft time limit and the state listed in :func:`_saved` put back afterwards.
"""

from __future__ import annotations

import builtins
import contextlib
import inspect
import json
import os
import random
import select
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

TIME_LIMIT = 10.0  # seconds a check gives the reader's code on its small inputs
# Bytes of address space a check's child may add (Linux: /proc tells the base).
MEMORY_LIMIT = 2 * 2**30
OUTPUT_LIMIT = 64 * 1024  # characters of the reader's printing a check keeps, then drops
VERDICT_BYTES = 4096  # the most the parent reads from the child: one pipe buffer's atomic write
TIMED_OUT = "timed out"

Verdict = tuple[str, str]  # (status, message)


def can_fork() -> bool:
    """Whether a check may run in a forked child here."""
    if not hasattr(os, "fork") or sys.platform == "win32":
        return False
    for backend in (torch.cuda, getattr(torch, "xpu", None)):
        if backend is not None and backend.is_initialized():
            return False  # "Cannot re-initialize CUDA in forked subprocess"
    # Metal (Apple's GPUs) has no is_initialized to ask; fork is unsafe once it has run.
    return not (sys.platform == "darwin" and torch.backends.mps.is_available())


FORK = can_fork()  # tests set this to False to run the in-process path


def run(judge: Callable[[], Verdict]) -> Verdict:
    """``judge()``, isolated; it must return a verdict and never raise. A time-out gives
    ``(TIMED_OUT, "")``."""
    if FORK and can_fork():
        return _in_child(judge)
    return _in_process(judge)


# --- the child process -------------------------------------------------------------------


class _Bounded:
    """A text stream that keeps the first OUTPUT_LIMIT characters and drops the rest."""

    def __init__(self):
        self.kept = []
        self.size = 0

    def write(self, text):
        if self.size < OUTPUT_LIMIT:
            self.kept.append(str(text)[: OUTPUT_LIMIT - self.size])
            self.size += len(self.kept[-1])
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return False


def _quiet_child() -> None:
    with contextlib.suppress(ValueError):  # (only the main thread may set handlers)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent handles the reader's interrupt
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # what C code prints goes nowhere
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = _Bounded()
    # As PyTorch's DataLoader workers do after fork: the parent's thread pool is not ours.
    torch.set_num_threads(1)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])  # Linux only
        limit = pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_LIMIT
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))


def _in_child(judge: Callable[[], Verdict]) -> Verdict:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: judge, report, leave at once whatever happens
        code = 1
        try:
            os.close(read_end)
            _quiet_child()
            try:
                status, message = judge()
            # The reader's code raised it; the reader's own Ctrl-C reaches the parent.
            except KeyboardInterrupt:
                status, message = "incorrect", "your code raised KeyboardInterrupt."
            # At most 6 bytes a character in JSON: the whole verdict fits in VERDICT_BYTES.
            message = json.dumps([status, message[: VERDICT_BYTES // 6 - 20]]).encode()
            os.write(write_end, message)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        data = _read(read_end, time.monotonic() + TIME_LIMIT)
    finally:
        os.close(read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # done or not, the child has nothing left to do
        os.waitpid(pid, 0)
    if data is None:
        return TIMED_OUT, ""
    try:
        status, message = json.loads(data.decode())
        return str(status), str(message)
    except ValueError:
        return "crashed", ""


def _read(fd: int, deadline: float) -> bytes | None:
    """All the child writes before it exits, or None if it is still running at deadline."""
    chunks, size = [], 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, VERDICT_BYTES)
        if not chunk:
            return b"".join(chunks)
        if size < VERDICT_BYTES:
            chunks.append(chunk)
            size += len(chunk)


# --- in this process ---------------------------------------------------------------------


class TookTooLong(BaseException):
    """The reader's code ran past the time limit (in-process checks only)."""


MODULES = (builtins, torch, torch.nn, torch.nn.functional, torch.optim, np, random)
CLASSES = (torch.Tensor, torch.nn.Module)


def _in_process(judge: Callable[[], Verdict]) -> Verdict:
    with _saved(), _time_limit(TIME_LIMIT):
        torch.set_num_threads(1)  # the checks' steps are tiny: one thread is fastest
        try:
            return judge()
        except TookTooLong:
            return TIMED_OUT, ""


@contextlib.contextmanager
def _saved():
    """Put back what a check may change in this process. Threads the reader's code starts
    cannot be stopped from here: only the child process ends those."""
    state = {
        "rng": (torch.random.get_rng_state(), np.random.get_state(), random.getstate()),  # noqa: NPY002 -- the reader's global generators
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None,
        "cwd": Path.cwd(),
        "environ": dict(os.environ),
        "dtype": torch.get_default_dtype(),
        "device": torch.get_default_device(),
        "grad": torch.is_grad_enabled(),
        "threads": torch.get_num_threads(),
        "streams": (sys.stdout, sys.stderr),
        "recursion": sys.getrecursionlimit(),
        "path": list(sys.path),
        "sigint": signal.getsignal(signal.SIGINT),
        "namespaces": [(ns, dict(vars(ns))) for ns in (*MODULES, *CLASSES)],
    }
    sys.stdout = sys.stderr = _Bounded()
    try:
        yield
    finally:
        torch.random.set_rng_state(state["rng"][0])
        np.random.set_state(state["rng"][1])  # noqa: NPY002
        random.setstate(state["rng"][2])
        if state["cuda_rng"] is not None:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        os.chdir(state["cwd"])
        os.environ.clear()
        os.environ.update(state["environ"])
        torch.set_default_dtype(state["dtype"])
        if torch.get_default_device() != state["device"]:  # setting it costs every factory call
            torch.set_default_device(None if state["device"].type == "cpu" else state["device"])
        torch.set_grad_enabled(state["grad"])
        if torch.get_num_threads() != state["threads"]:
            torch.set_num_threads(state["threads"])
        sys.stdout, sys.stderr = state["streams"]
        sys.setrecursionlimit(state["recursion"])
        sys.path[:] = state["path"]
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, state["sigint"])
        for namespace, saved in state["namespaces"]:
            _put_back(namespace, saved)


def _put_back(namespace, saved: dict) -> None:
    now = vars(namespace)
    # Submodules imported meanwhile stay: import sets them on their parent only once.
    for name in [n for n, v in now.items() if n not in saved and not inspect.ismodule(v)]:
        delattr(namespace, name)
    for name, value in saved.items():
        if now.get(name, _put_back) is not value:
            setattr(namespace, name, value)


@contextlib.contextmanager
def _time_limit(seconds: float):
    """Raise TookTooLong in the reader's code after ``seconds``, and again every 50 ms until
    the check ends, so a loop that catches one still stops. An outer timer is re-armed."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield  # no SIGALRM here: no limit
        return

    def stop(signum, frame):
        raise TookTooLong

    started = time.monotonic()
    outer = signal.getitimer(signal.ITIMER_REAL)
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # someone else's timer was running: give it what is left
            left = max(outer[0] - (time.monotonic() - started), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer[1])
