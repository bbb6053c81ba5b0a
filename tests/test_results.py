"""Reading recorded benchmark results: the curves a section 7 page draws, and bad files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mnisttutor import InvalidDataError
from mnisttutor.results import (
    RECORDED,
    crossing,
    find_results,
    recorded_curves,
    recorded_rows,
)

REPO = Path(__file__).resolve().parent.parent


def _record(device: str = "cuda", rows=None) -> dict:
    return {
        "date_utc": "2026-12-01T12:00:00+00:00",
        "machine": {"devices": {device: f"{device.upper()}: a test device"}},
        "results": rows
        if rows is not None
        else [{"device": device, "hidden": h, "us_per_step": h / 10} for h in (5000, 200)],
    }


def test_a_recorded_accelerator_curve_is_read_sorted_by_size(tmp_path):
    (tmp_path / "scaling-cuda.json").write_text(json.dumps(_record()))
    (tmp_path / "scaling-cpu.json").write_text(json.dumps(_record("cpu")))
    (tmp_path / "paths.json").write_text("not a scaling file, so not read")
    assert recorded_curves(tmp_path) == {
        "CUDA: a test device, 2026-12-01": [(200, 20.0), (5000, 500.0)]
    }


def test_no_folder_no_curves():
    assert recorded_curves(None) == {}


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        json.dumps({"results": []}),  # no machine
        json.dumps(_record(rows=[{"device": "cuda", "hidden": 200}])),  # no time
        json.dumps(_record(rows=[{"hidden": 200, "us_per_step": 1.0}])),  # no device
    ],
    ids=["not JSON", "no machine", "no time", "no device"],
)
def test_a_damaged_results_file_is_a_clear_error(tmp_path, text):
    (tmp_path / "scaling-cuda.json").write_text(text)
    with pytest.raises(InvalidDataError, match=r"scaling-cuda\.json: not a results file"):
        recorded_curves(tmp_path)


def test_the_results_folder_is_found_from_below(tmp_path):
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    page = tmp_path / "docs" / "auto_examples"
    page.mkdir(parents=True)
    assert find_results(page) == results


def test_a_cpu_curve_beside_an_accelerator_is_kept_when_asked(tmp_path):
    host = _record("cpu")
    host["machine"]["accelerator_present"] = True
    (tmp_path / "scaling-cpu-gpu-host.json").write_text(json.dumps(host))
    (tmp_path / "scaling-cpu.json").write_text(json.dumps(_record("cpu")))  # no accelerator
    assert recorded_curves(tmp_path) == {}
    assert list(recorded_curves(tmp_path, host_cpus=True)) == ["CPU: a test device, 2026-12-01"]


def test_recorded_rows_are_matched_and_labelled(tmp_path):
    rows = [{"benchmark": "matmul", "device": "cuda", "size": s} for s in (64, 128)]
    (tmp_path / "gpu-cuda.json").write_text(json.dumps(_record(rows=rows)))
    assert [r["size"] for r in recorded_rows(tmp_path, "gpu-cuda.json", benchmark="matmul")] == [
        64,
        128,
    ]
    assert recorded_rows(tmp_path, "gpu-cuda.json", size=128)[0]["recorded"] == (
        "CUDA: a test device, 2026-12-01"
    )
    assert recorded_rows(tmp_path, "gpu-cuda.json", benchmark="training") == []
    assert recorded_rows(tmp_path, "absent.json") == []
    assert recorded_rows(None, "gpu-cuda.json") == []


def test_a_damaged_file_of_rows_is_a_clear_error(tmp_path):
    (tmp_path / "gpu-cuda.json").write_text(json.dumps({"results": [{"device": "cuda"}]}))
    with pytest.raises(InvalidDataError, match=r"gpu-cuda\.json: not a results file"):
        recorded_rows(tmp_path, "gpu-cuda.json")


# Each file recorded on an accelerator, and the call that draws it on the site: the
# pages of sections 4, 7 and 8 make these same calls. A new recorded file needs a line.
DRAWN = {
    "gpu-cuda.json": [  # sections 4 and 7
        ("matmul", lambda: recorded_rows(RECORDED, "gpu-cuda.json", benchmark="matmul")),
        ("training", lambda: recorded_rows(RECORDED, "gpu-cuda.json", benchmark="training")),
        ("per-image step",
         lambda: recorded_rows(RECORDED, "gpu-cuda.json", benchmark="per_image_step")),
    ],
    "scaling-cuda.json": [("curve", lambda: recorded_rows(RECORDED, "scaling-cuda.json"))],
    "scaling-cpu-h200-host.json": [
        ("curve", lambda: recorded_rows(RECORDED, "scaling-cpu-h200-host.json"))
    ],
    "profile-cuda.json": [("parts", lambda: recorded_rows(RECORDED, "profile-cuda.json"))],
    "minibatch-sweep-cuda.json": [
        ("sweep", lambda: recorded_rows(RECORDED, "minibatch-sweep-cuda.json"))
    ],
}  # fmt: skip


def test_every_recorded_accelerator_file_ships_with_the_package_and_is_drawn():
    assert {path.name for path in RECORDED.glob("*.json")} == set(DRAWN)
    # benchmarks/results keeps the build machine's files; a GPU's go in the package.
    stray = [
        path.name
        for path in (REPO / "benchmarks" / "results").glob("*.json")
        if json.loads(path.read_text())["machine"].get("accelerator_present")
    ]
    assert stray == []
    pyproject = (REPO / "pyproject.toml").read_text()
    assert 'mnisttutor = ["recorded/*.json"]' in pyproject  # so the wheel carries them
    for name, calls in DRAWN.items():
        for what, drawn in calls:
            assert drawn(), f"no {what} of {name} reaches a page"


def test_the_recorded_curves_cross_where_the_page_says_they_do():
    cpu, gpu = ([(r["hidden"], r["us_per_step"]) for r in DRAWN[name][0][1]()]
                for name in ("scaling-cpu-h200-host.json", "scaling-cuda.json"))  # fmt: skip
    assert crossing(cpu, gpu) is not None  # section 7 says where they cross, and why
    # The generic reader sees the same two curves.
    curves = recorded_curves(RECORDED, host_cpus=True)
    assert sorted(curves.values()) == sorted([cpu, gpu])


def test_a_crossing_needs_curves_at_the_same_sizes():
    with pytest.raises(ValueError, match="same sizes"):
        crossing([(200, 1.0)], [(500, 2.0)])


@pytest.mark.parametrize("name", sorted(DRAWN))
def test_a_recorded_file_names_its_device_date_versions_and_commit(name):
    record = json.loads((RECORDED / name).read_text())
    assert re.fullmatch(r"2026-12-04(T.*)?", record["date_utc"])
    assert record["machine"]["accelerator_present"] is True
    assert record["machine"]["devices"]
    assert {"python", "torch", "numpy", "pandas", "mnisttutor"} <= set(record["versions"])
    assert re.fullmatch(r"[0-9a-f]{40}", record["git_commit"])
    assert record["command"]
    rows = recorded_rows(RECORDED, name)
    assert len(rows) == len(record["results"])
    assert all(row["recorded"].endswith(", 2026-12-04") for row in rows)


def test_no_recorded_per_image_step_is_impossibly_fast():
    """16d4e75's gpu.py divided by the images twice: 0.05 µs a step, 3,000x too fast."""
    steps = recorded_rows(RECORDED, "gpu-cuda.json", benchmark="per_image_step")
    assert {row["mode"] for row in steps} == {"eager", "cuda_graph"}
    # A step launches a dozen kernels; each launch alone takes microseconds.
    assert all(row["us_per_image"] > 5 for row in steps)
