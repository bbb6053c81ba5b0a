"""What every benchmark shares: the data, the devices, and a record of where it ran."""

from __future__ import annotations

import csv
import datetime
import json
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import mnisttutor
from mnisttutor import MnistDataset, best_device, describe_device, fetch_mnist_csv

RESULTS = Path(__file__).resolve().parent / "results"
REPO = Path(__file__).resolve().parent.parent


def add_common_arguments(parser) -> None:
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads for every path (default: 1, since per-sample steps are too "
        "small to split, and on a shared machine extra threads only add noise; "
        "0: torch's default)",
    )
    parser.add_argument(
        "--device",
        choices=("cpu", "best", "all"),
        default="all",
        help="cpu; best: the accelerator if there is one; all: the CPU and the accelerator "
        "(default)",
    )
    parser.add_argument("--output", type=Path, help="where to write the JSON (and CSV) results")


def set_threads(threads: int) -> None:
    if threads < 0:
        sys.exit("--threads must be 0 (torch's default) or more")
    if threads:
        torch.set_num_threads(threads)


def devices(choice: str) -> list[torch.device]:
    """The devices to measure: the CPU, the accelerator, or both (when there is one)."""
    cpu, best = torch.device("cpu"), best_device()
    return {"cpu": [cpu], "best": [best], "all": [cpu] if best == cpu else [cpu, best]}[choice]


def load_data() -> tuple[MnistDataset, MnistDataset, object]:
    """The package's train and test datasets and the CSV paths they came from."""
    files = fetch_mnist_csv()
    return MnistDataset(files.train), MnistDataset(files.test), files


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


def environment(measured: list[torch.device]) -> dict:
    """The machine, the software and the moment, to store next to every result."""
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpu": describe_device("cpu"),
            "platform": platform.platform(),
            "devices": {str(d): describe_device(d) for d in measured},
            "accelerator_present": best_device().type != "cpu",
        },
        "torch_threads": torch.get_num_threads(),
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "mnisttutor": mnisttutor.__version__,
        },
        "git_commit": _git_commit(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
    }


def write_results(path: Path, record: dict, rows: list[dict]) -> None:
    """``record`` (with ``rows`` under "results") as JSON at ``path``; the rows as CSV too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**record, "results": rows}, indent=2) + "\n")
    with path.with_suffix(".csv").open("w", newline="") as f:
        # every key of every row: a file may hold rows of several kinds
        writer = csv.DictWriter(f, fieldnames=list(dict.fromkeys(k for row in rows for k in row)))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path} and {path.with_suffix('.csv').name}")


def default_output(name: str, quick: bool) -> Path:
    # Quick runs are for development: keep them out of the recorded results.
    return RESULTS / (f"{name}.quick.json" if quick else f"{name}.json")
