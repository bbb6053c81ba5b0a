"""No walkthrough leaks global state into the next one run in the same process.

A reader who runs two downloaded scripts in one Jupyter kernel, or a build that runs
them one after another, must get the second one's results whatever the first one did.
``run_in_one_process`` runs examples one after another in a fresh interpreter and
reports every piece of global state that an example left changed: warning filters,
PyTorch's default dtype, device, thread count and gradient mode, matplotlib's rcParams,
numpy's error handling, the working directory and the environment.

Running every example takes many minutes (sections 6 to 9 train networks), so the
dynamic check runs the quick ones, and a static check reads all of them for calls
that change process-wide settings.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

DRIVER = r"""
import json, os, runpy, sys, warnings
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch

# Libraries may add warning filters when first imported (torch's JIT, requests via
# pooch): that is not an example leaking, so everything the examples import comes first.
import importlib, pkgutil
import pandas
import mnisttutor
for module in pkgutil.walk_packages(mnisttutor.__path__, "mnisttutor."):
    if module.name != "mnisttutor.__main__":  # that one runs the command line
        importlib.import_module(module.name)

def state():
    return {
        "warnings filters": repr(warnings.filters),
        "torch default dtype": str(torch.get_default_dtype()),
        "torch default device": str(torch.get_default_device()),
        "torch threads": torch.get_num_threads(),
        "torch grad enabled": torch.is_grad_enabled(),
        "matplotlib rcParams": {k: repr(v) for k, v in matplotlib.rcParams.items()},
        "numpy errors": np.geterr(),
        "working directory": os.getcwd(),
        "environment": dict(os.environ),
    }

leaks = []
for path in sys.argv[1:]:
    before = state()
    here = os.getcwd()
    os.chdir(os.path.dirname(path))  # as sphinx-gallery runs them
    try:
        runpy.run_path(path, run_name="__main__")
    finally:
        os.chdir(here)
    plt.close("all")
    after = state()
    for key in before:
        if before[key] != after[key]:
            if isinstance(before[key], dict):
                changed = sorted(k for k in before[key].keys() | after[key].keys()
                                 if before[key].get(k) != after[key].get(k))
                leaks.append(f"{os.path.basename(path)} changed {key}: {changed}")
            else:
                leaks.append(f"{os.path.basename(path)} changed {key}: "
                             f"{before[key]!r} -> {after[key]!r}")
print(json.dumps(leaks))
"""


def run_in_one_process(*paths: Path) -> list[str]:
    """Run ``paths`` one after another in one fresh interpreter; the leaks each left."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


QUICK = [
    EXAMPLES / "01_learning_from_examples" / "plot_01_km_to_miles.py",
    EXAMPLES / "01_learning_from_examples" / "plot_02_learning_loop.py",
    EXAMPLES / "02_neural_networks" / "plot_01_nodes_and_activation.py",
    EXAMPLES / "02_neural_networks" / "plot_02_network_and_gradient_descent.py",
    EXAMPLES / "03_pytorch_tensors_autograd" / "plot_01_tensors_and_autograd.py",
    EXAMPLES / "04_gpu_acceleration" / "plot_01_devices.py",
    EXAMPLES / "04_gpu_acceleration" / "plot_02_matmul_timing.py",
]


def test_quick_examples_leave_no_global_state_behind():
    assert run_in_one_process(*QUICK) == []


LEAKS = {
    "warnings filters": 'import warnings\nwarnings.filterwarnings("ignore", "x")',
    "torch threads": "import torch\ntorch.set_num_threads(torch.get_num_threads() + 1)",
    "torch default dtype": "import torch\ntorch.set_default_dtype(torch.float64)",
    "torch default device": 'import torch\ntorch.set_default_device("meta")',
    "matplotlib rcParams": 'import matplotlib\nmatplotlib.rcParams["lines.linewidth"] = 7',
    "environment": 'import os\nos.environ["MNISTTUTOR_LEAK"] = "1"',
}


@pytest.mark.parametrize("what", LEAKS)
def test_a_leaking_example_is_caught(tmp_path, what):
    leaky = tmp_path / "plot_leaky.py"
    leaky.write_text(LEAKS[what] + "\n")
    clean = tmp_path / "plot_clean.py"
    clean.write_text("print('nothing changed')\n")
    leaks = run_in_one_process(clean, leaky)
    assert len(leaks) == 1
    assert leaks[0].startswith(f"plot_leaky.py changed {what}")


# Calls that change a setting for the whole process. An example may use them only in a
# way that undoes itself: inside a ``with`` block (warnings.catch_warnings(),
# matplotlib.rc_context(), mnisttutor.default_device()), or restored later in the file.
PROCESS_WIDE = {
    "filterwarnings",
    "simplefilter",
    "set_default_dtype",
    "set_default_device",
    "set_default_tensor_type",
    "set_num_threads",
    "use",  # plt.style.use / matplotlib.use
    "rc",
    "seterr",
}


def top_level_setting_calls(source: str) -> list[str]:
    """Process-wide setting calls made outside any ``with`` block, by name."""
    found = []

    def visit(node, inside_with):
        if isinstance(node, ast.With):
            inside_with = True
        if isinstance(node, ast.Call) and not inside_with:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else None
            if name in PROCESS_WIDE:
                found.append(ast.unparse(node.func))
        if isinstance(node, ast.Assign) and not inside_with:
            for target in node.targets:
                if "rcParams" in ast.unparse(target):
                    found.append(ast.unparse(target))
        for child in ast.iter_child_nodes(node):
            visit(child, inside_with)

    visit(ast.parse(source), inside_with=False)
    return found


@pytest.mark.parametrize(
    "path",
    sorted(EXAMPLES.glob("*/plot_*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_no_example_changes_a_process_wide_setting_for_good(path):
    calls = top_level_setting_calls(path.read_text(encoding="utf-8"))
    # set_num_threads(n) ... set_num_threads(saved) pairs restore what they changed.
    threads = calls.count("torch.set_num_threads")
    calls = [c for c in calls if c != "torch.set_num_threads"]
    assert calls == [], "use a with block (warnings.catch_warnings(), rc_context(), ...)"
    assert threads % 2 == 0, "restore the thread count the example found"


def test_the_static_check_sees_a_global_filter():
    source = textwrap.dedent(
        """
        import warnings
        warnings.filterwarnings("ignore")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
        """
    )
    assert top_level_setting_calls(source) == ["warnings.filterwarnings"]
