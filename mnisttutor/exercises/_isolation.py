"""Where a check runs: in a forked child process where the platform can fork, else in
this process with everything a check may touch saved and put back.

A check runs the reader's code, which may loop forever, catch every exception, print
gigabytes, replace ``torch.nn.BCELoss``, reseed the random generator, write files or
start processes. In a child process none of that can reach the reader's notebook: the
child sees the reader's objects as they are (fork copies the process), runs in its own
process group and its own temporary folder, runs the check, writes its verdict, a small
JSON message, to a pipe and leaves with ``os._exit``, so it runs none of the notebook's
exit handlers. The parent reads one verdict, at most :data:`TIME_LIMIT` seconds (and a
grace period) after the start, then kills the child's whole process group (SIGKILL
cannot be caught or ignored) and removes the folder. The child's address space, output
and logging are bounded or cut off from the notebook.

Where fork is missing (Windows) or unsafe (an accelerator's runtime is initialised in
this process: CUDA, XPU and Metal do not survive a fork), the check runs here, with a
soft time limit and the state listed in :func:`_saved` put back afterwards.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import inspect
import json
import logging
import os
import random
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

TIME_LIMIT = 10.0  # seconds a check gives the reader's code on its small inputs
GRACE = 1.0  # seconds more the parent waits, for the child's own verdict on a time-out
# Bytes of address space a check's child may add (Linux: /proc tells the base).
MEMORY_LIMIT = 2 * 2**30
OUTPUT_LIMIT = 64 * 1024  # characters of the reader's printing a check keeps, then drops
VERDICT_BYTES = 4096  # the most the child writes: one pipe buffer's atomic write
HEADER = 8  # the verdict's length, as 8 ASCII digits before it
TIMED_OUT = "timed out"

Verdict = tuple[str, str]  # (status, message)


class TookTooLong(BaseException):
    """The reader's code ran past the time limit: raised in it by the check's own alarm."""


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
    """``judge()``, isolated; it must return a verdict and never raise. A time-out that
    ``judge`` does not turn into a verdict itself gives ``(TIMED_OUT, "")``."""
    if FORK and can_fork():
        return _in_child(judge)
    return _in_process(judge)


@contextlib.contextmanager
def check_defaults():
    """Run a check with PyTorch's defaults, whatever the notebook set: gradients on (a
    training step needs them), float32 and the CPU as the defaults for new tensors. The
    verdict is about the reader's code, not the notebook's switches. Put back after."""
    grad, dtype = torch.is_grad_enabled(), torch.get_default_dtype()
    device = torch.get_default_device()
    torch.set_grad_enabled(True)
    torch.set_default_dtype(torch.float32)
    if device.type != "cpu":  # setting it costs every factory call: only when needed
        torch.set_default_device(None)
    try:
        yield
    finally:
        torch.set_grad_enabled(grad)
        torch.set_default_dtype(dtype)
        if torch.get_default_device() != device:
            torch.set_default_device(None if device.type == "cpu" else device)


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


def _no_input(*args, **kwargs):
    raise EOFError("a check cannot read input")


def _cut_off_the_kernel() -> None:
    """In the child: nothing reaches the notebook through Jupyter's own connections.

    ipykernel forwards what a forked process writes to the notebook's streams (its
    ``OutStream`` objects, which a reader's logging handler may hold) over a socket of
    its own, and ``input()`` would ask the notebook's front end. The child drops both.
    """
    builtins.input = _no_input
    iostream = sys.modules.get("ipykernel.iostream")
    if iostream is not None:
        iostream.OutStream.write = lambda self, text: len(text)
        iostream.OutStream.flush = lambda self: None
        iostream.IOPubThread.send_multipart = lambda self, *args, **kwargs: None
        iostream.IOPubThread.schedule = lambda self, f: None
    zmq_socket = sys.modules.get("zmq.sugar.socket")
    if zmq_socket is not None:  # any other message to the front end: dropped
        zmq_socket.Socket.send = lambda self, *args, **kwargs: None
        zmq_socket.Socket.send_multipart = lambda self, *args, **kwargs: None


def _quiet_child(folder: str) -> None:
    with contextlib.suppress(ValueError):  # (only the main thread may set handlers)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent handles the reader's interrupt
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # what C code prints goes nowhere
    os.dup2(devnull, 2)
    sys.stdout = sys.stderr = _Bounded()
    logging.disable(logging.CRITICAL)  # the reader's handlers may write to the notebook
    logging.raiseExceptions = False
    _cut_off_the_kernel()
    # Files the reader's code writes, relative or temporary, land in the check's folder.
    os.chdir(folder)
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    # As PyTorch's DataLoader workers do after fork: the parent's thread pool is not ours.
    torch.set_num_threads(1)
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        pages = int(Path("/proc/self/statm").read_text().split()[0])  # Linux only
        limit = pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_LIMIT
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))


@contextlib.contextmanager
def _children_waitable():
    """SIGCHLD at its default while a check's child runs: a notebook that ignores it would
    have the child reaped by the system, and ``waitpid`` fail."""
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGCHLD) if main else None
    if main and previous == signal.SIG_IGN:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        yield
    finally:
        if main and previous == signal.SIG_IGN:
            signal.signal(signal.SIGCHLD, previous)


def _in_child(judge: Callable[[], Verdict]) -> Verdict:
    folder = tempfile.mkdtemp(prefix="mnisttutor-check-")
    read_end, write_end = os.pipe()
    with _children_waitable():
        pid = os.fork()
        if pid == 0:  # the child: judge, report, leave at once whatever happens
            code = 1
            try:
                os.close(read_end)
                os.setpgid(0, 0)  # a group of its own, killed whole with what it starts
                _quiet_child(folder)
                try:
                    with _time_limit(TIME_LIMIT), check_defaults():
                        status, message = judge()
                except TookTooLong:
                    status, message = TIMED_OUT, ""
                # The reader's code raised it; the reader's own Ctrl-C reaches the parent.
                except KeyboardInterrupt:
                    status, message = "incorrect", "your code raised KeyboardInterrupt."
                # At most 6 bytes a character in JSON: the whole verdict fits in VERDICT_BYTES.
                payload = json.dumps([status, message[: VERDICT_BYTES // 6 - 20]]).encode()
                os.write(write_end, b"%0*d" % (HEADER, len(payload)) + payload)
                code = 0
            finally:
                os._exit(code)
        with contextlib.suppress(OSError):  # the child sets it too: whichever runs first
            os.setpgid(pid, pid)
        os.close(write_end)
        try:
            data = _read(read_end, time.monotonic() + TIME_LIMIT + GRACE)
        finally:
            os.close(read_end)
            # Done or not, the child and what it started have nothing left to do.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            shutil.rmtree(folder, ignore_errors=True)
    if data is None:
        return TIMED_OUT, ""
    try:
        status, message = json.loads(data.decode())
        return str(status), str(message)
    except ValueError:
        return "crashed", ""


def _read(fd: int, deadline: float) -> bytes | None:
    """The child's verdict: a length, then that many bytes. None if it is not complete by
    the deadline; what came if the pipe closed first (then it is not a verdict).

    The parent stops at the verdict's end, not at the end of the pipe: a process the
    reader's code forked holds a copy of the pipe and may keep it open."""
    data = b""
    while len(data) < HEADER or len(data) < HEADER + int(data[:HEADER] or 0):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, VERDICT_BYTES)
        if not chunk:
            return data[HEADER:]
        data += chunk
        if len(data) >= HEADER and not data[:HEADER].isdigit():
            return b""
        if len(data) > HEADER + VERDICT_BYTES:
            return b""
    return data[HEADER : HEADER + int(data[:HEADER])]


# --- in this process ---------------------------------------------------------------------


MODULES = (builtins, torch, torch.nn, torch.nn.functional, torch.optim, np, random)
CLASSES = (torch.Tensor, torch.nn.Module, torch.optim.Optimizer, torch.optim.SGD)


def _in_process(judge: Callable[[], Verdict]) -> Verdict:
    folder = tempfile.TemporaryDirectory(prefix="mnisttutor-check-", ignore_cleanup_errors=True)
    with _saved(), _time_limit(TIME_LIMIT), folder:
        os.chdir(folder.name)  # files the reader's code writes land here, then go
        torch.set_num_threads(1)  # the checks' steps are tiny: one thread is fastest
        try:
            return judge()
        except TookTooLong:
            return TIMED_OUT, ""


def _pandas_options():
    """pandas' options, if the notebook has imported pandas (its registry is private, but
    pandas has no public way to list its options' values)."""
    pandas = sys.modules.get("pandas")
    if pandas is None:
        return None
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")  # (reading a deprecated option warns)
        keys = list(pandas._config.config._registered_options)
        return pandas, {key: pandas.get_option(key) for key in keys}
    return None


def _put_back_pandas(saved) -> None:
    if saved is None:
        return
    pandas, options = saved
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in options.items():
            with contextlib.suppress(Exception):  # (an option may refuse to be set back)
                if pandas.get_option(key) is not value:
                    pandas.set_option(key, value)


@contextlib.contextmanager
def _saved():
    """Put back what a check may change in this process. Threads the reader's code starts
    cannot be stopped from here: only the child process ends those."""
    root = logging.getLogger()
    matmul = torch.get_float32_matmul_precision()
    state = {
        "rng": (torch.random.get_rng_state(), np.random.get_state(), random.getstate()),  # noqa: NPY002 -- the reader's global generators
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else None,
        "cwd": Path.cwd(),
        "environ": dict(os.environ),
        "threads": torch.get_num_threads(),
        "streams": (sys.stdout, sys.stderr),
        "recursion": sys.getrecursionlimit(),
        "path": list(sys.path),
        "signals": {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)},
        "namespaces": [(ns, dict(vars(ns))) for ns in (*MODULES, *CLASSES)],
        "print": (_torch_print_options(), np.get_printoptions()),
        "errors": np.geterr(),
        "cudnn": (torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic),
        "deterministic": (
            torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled(),
        ),
        "anomaly": (torch.is_anomaly_enabled(), torch.is_anomaly_check_nan_enabled()),
        "logging": (list(root.handlers), root.level, logging.root.manager.disable),
        "warnings": list(warnings.filters),
        "pandas": _pandas_options(),
    }
    sys.stdout = sys.stderr = _Bounded()
    logging.disable(logging.CRITICAL)  # the reader's handlers write to the notebook
    try:
        with check_defaults():
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
        if torch.get_num_threads() != state["threads"]:
            torch.set_num_threads(state["threads"])
        sys.stdout, sys.stderr = state["streams"]
        sys.setrecursionlimit(state["recursion"])
        sys.path[:] = state["path"]
        if threading.current_thread() is threading.main_thread():
            for number, handler in state["signals"].items():
                if handler is not None:  # (None: set outside Python, not ours to restore)
                    signal.signal(number, handler)
        for namespace, saved in state["namespaces"]:
            _put_back(namespace, saved)
        torch.set_printoptions(**state["print"][0])
        np.set_printoptions(**state["print"][1])
        np.seterr(**state["errors"])
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = state["cudnn"]
        torch.use_deterministic_algorithms(
            state["deterministic"][0], warn_only=state["deterministic"][1]
        )
        torch.set_float32_matmul_precision(matmul)
        torch.set_anomaly_enabled(*state["anomaly"])
        root.handlers[:], level, disabled = state["logging"]
        root.setLevel(level)
        logging.disable(disabled)
        warnings.filters[:] = state["warnings"]
        _put_back_pandas(state["pandas"])


def _torch_print_options() -> dict:
    """torch.set_printoptions' arguments as they are now (PyTorch has no getter)."""
    options = torch._tensor_str.PRINT_OPTS
    names = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")
    return {name: getattr(options, name) for name in names}


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


# --- the one-time warm-up ----------------------------------------------------------------


@contextlib.contextmanager
def leaves_no_trace():
    """Undo what importing PyTorch's lazy parts changes in the reader's process.

    The first optimiser step imports ``torch._dynamo``, which replaces
    ``torch.manual_seed`` with a wrapped copy, adds a warnings filter and two exit
    handlers; making the first SGD wraps ``SGD.step``; ``torch._inductor`` sets an
    environment variable. All of it is put back, and the modules stay loaded."""
    registered = []
    register = atexit.register

    def recording(fn, *args, **kwargs):
        registered.append(fn)
        return register(fn, *args, **kwargs)

    environ, filters = dict(os.environ), list(warnings.filters)
    namespaces = [(ns, dict(vars(ns))) for ns in (torch, *_optimisers())]
    atexit.register = recording
    try:
        yield
    finally:
        atexit.register = register
        for fn in registered:
            atexit.unregister(fn)
        warnings.filters[:] = filters
        for name in os.environ.keys() - environ.keys():
            del os.environ[name]
        os.environ.update(environ)
        for namespace, saved in namespaces:
            for name, value in saved.items():
                if vars(namespace).get(name) is not value:
                    setattr(namespace, name, value)


def _optimisers() -> list[type]:
    return [
        v
        for v in vars(torch.optim).values()
        if isinstance(v, type) and issubclass(v, torch.optim.Optimizer)
    ]


def cancel_alarm() -> None:
    """Stop the time limit's alarm, so a check can put its time-out into words: the
    parent still kills a child that takes longer than the grace period for that."""
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        signal.setitimer(signal.ITIMER_REAL, 0)
