"""The benchmark scripts run, on small synthetic data, and write what they promise."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mnisttutor import best_device, compiled_loop, data
from mnisttutor.results import recorded_curves

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def run_script(synthetic, monkeypatch):
    """``run_script(name, *args)`` runs benchmarks/<name>.py as a script, on the synthetic data."""
    monkeypatch.setenv(data.DATA_DIR_ENV, str(synthetic))
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    threads = torch.get_num_threads()

    def run(name: str, *args: str) -> None:
        monkeypatch.setattr(sys, "argv", [f"{name}.py", *args])
        runpy.run_path(str(BENCHMARKS / f"{name}.py"), run_name="__main__")

    yield run
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_paths_benchmark_compares_like_with_like(run_script, tmp_path):
    output = tmp_path / "paths.json"
    compiled_loop.compiled_steps.cache_clear()  # so the fast path compiles here, whatever ran
    paths = ["original", "tensor_dataset", "hand_written", "fast", "minibatch"]
    run_script(
        "run", "--quick", "0.5", "--device", "cpu", "--paths", *paths, "--output", str(output)
    )
    record = json.loads(output.read_text())
    assert record["machine"]["cpu"].startswith("CPU: ")
    assert set(record["versions"]) >= {"python", "torch", "numpy", "pandas", "mnisttutor"}
    assert record["run"]["quick_fraction"] == 0.5
    rows = {row["path"]: row for row in record["results"]}
    assert list(rows) == paths
    assert all(row["extrapolated"] for row in rows.values())
    # 30 images in rounds of 6 for each per-image path; 3 whole runs of mini-batches.
    assert all(rows[p]["images_timed"] == 30 and rows[p]["timed_runs"] == 5 for p in paths[:-1])
    assert rows["minibatch"]["timed_runs"] == 3
    assert rows["minibatch"]["images_timed"] == 90
    assert rows["original"]["speedup_vs_original"] == 1.0
    # Compiling is kept out of the timed rounds and recorded apart.
    assert rows["fast"]["compile_s"] > 0
    assert rows["hand_written"]["compile_s"] is None
    # The same steps from the same start: every per-image path scores the same.
    per_image = {rows[p]["test_accuracy"] for p in paths[:-1]}
    assert len(per_image) == 1
    assert output.with_suffix(".csv").read_text().startswith("device,path,label,")


def test_the_scaling_page_reads_what_the_scaling_benchmark_writes(run_script, tmp_path):
    """benchmarks/scaling.py's file, read by section 7's reader: one schema, both ends."""
    run_script("scaling", "--steps", "5", "--hidden", "8", "16", "--device", "cpu",
               "--output", str(tmp_path / "scaling-cpu.json"))  # fmt: skip
    record = json.loads((tmp_path / "scaling-cpu.json").read_text())
    assert [(row["device"], row["hidden"]) for row in record["results"]] == [
        ("cpu", 8),
        ("cpu", 16),
    ]
    # What the page plots: the accelerator curves only, so nothing from a CPU run ...
    assert recorded_curves(tmp_path) == {}
    # ... and every row when asked, with the device described and dated.
    (name, points), *others = recorded_curves(tmp_path, accelerators_only=False).items()
    assert not others
    assert name == f"{record['machine']['devices']['cpu']}, {record['date_utc'][:10]}"
    assert [hidden for hidden, _ in points] == [8, 16]
    assert all(us > 0 for _, us in points)


def test_the_recorded_results_in_the_repository_are_readable():
    curves = recorded_curves(BENCHMARKS / "results", accelerators_only=False)
    assert any(name.startswith("CPU: ") for name in curves)


@pytest.mark.slow
def test_profile_script_writes_each_part(run_script, tmp_path):
    run_script(
        "profile_step", "--steps", "5", "--device", "cpu", "--output", str(tmp_path / "p.json")
    )
    parts = [row["part"] for row in json.loads((tmp_path / "p.json").read_text())["results"]]
    assert parts[:5] == ["forward", "loss", "zero_grad", "backward", "step"]
    assert "original: read one item through pandas" in parts


@pytest.mark.slow
def test_the_gpu_script_says_so_and_records_nothing_without_an_accelerator(tmp_path):
    if best_device().type != "cpu":
        pytest.skip("this machine has an accelerator: gpu.sh would really run")
    result = subprocess.run(
        ["bash", str(BENCHMARKS / "gpu.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(BENCHMARKS.parent)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no accelerator on this machine" in result.stdout


@pytest.mark.slow
def test_the_gpu_script_dry_run_writes_what_the_pages_read(run_script, tmp_path):
    """gpu.py on the CPU with tiny sizes: every benchmark's rows, in the one schema."""
    run_script("gpu", "--dry-run", "--output", str(tmp_path))
    record = json.loads((tmp_path / "gpu-cpu.json").read_text())
    assert record["dry_run"] is True
    rows = record["results"]
    assert {row["benchmark"] for row in rows} == {
        "training",
        "per_image_step",
        "matmul",
        "minibatch",
    }
    assert all(row["device"] == "cpu" for row in rows)
    (training,) = [row for row in rows if row["benchmark"] == "training"]
    assert training["seconds"] > 0
    assert 0 <= training["test_accuracy"] <= 1
    steps = {row["mode"]: row for row in rows if row["benchmark"] == "per_image_step"}
    assert steps["eager"]["us_per_image"] > 0
    assert steps["cuda_graph"]["us_per_image"] is None  # said, not faked, on a CPU
    assert "need a CUDA device" in steps["cuda_graph"]["note"]
    assert [row["size"] for row in rows if row["benchmark"] == "matmul"] == [16, 32]
    curve = recorded_curves(tmp_path, accelerators_only=False)
    ((_, points),) = curve.items()
    assert [hidden for hidden, _ in points] == [8, 16]
    assert (tmp_path / "gpu-cpu.csv").read_text().startswith("benchmark,device,")
