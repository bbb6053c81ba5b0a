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
    how_much_faster,
    recorded_curves,
    recorded_paths,
    recorded_rows,
    recorded_step_times,
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


@pytest.mark.parametrize(
    ("seconds", "than", "words"),
    [
        (1.0, 3.7, "3.7 times faster"),
        (1357, 586, "2.3 times slower"),
        (0.395, 110.6, "280 times faster"),
        (1.0, 9.96, "10 times faster"),  # not "10.0"
        (0.4, 500.0, "1,250 times faster"),
        (1.0, 1.05, "about as fast"),
        (1.05, 1.0, "about as fast"),
        (1.0, 1.06, "1.1 times faster"),
    ],
)
def test_a_speed_comparison_is_said_in_words(seconds, than, words):
    assert how_much_faster(seconds, than=than) == words


def test_a_speed_comparison_names_what_it_compares_with():
    assert how_much_faster(1.0, than=2.0, name="the CPU") == "2.0 times faster than the CPU"
    assert how_much_faster(2.0, than=2.0, name="the CPU") == "about as fast as the CPU"


@pytest.mark.parametrize(("seconds", "than"), [(0.0, 1.0), (1.0, -2.0), (float("nan"), 1.0)])
def test_a_speed_comparison_needs_two_times(seconds, than):
    with pytest.raises(ValueError, match="two times above zero"):
        how_much_faster(seconds, than=than)


def test_the_recorded_step_times_are_each_timing_of_the_same_run():
    table = recorded_step_times()
    assert table.attrs["recorded"] == "CUDA: NVIDIA H200, 2026-12-04"
    figures = {
        how: int(time.removesuffix(" µs").replace(",", ""))
        for how, time in zip(table["how it was timed"], table["time per step"], strict=True)
    }
    (training,) = recorded_rows(RECORDED, "gpu-cuda.json", benchmark="training")
    assert figures["a whole training: 204.8 s / 180,000 steps"] == round(
        training["seconds"] / (training["epochs"] * training["images"]) * 1e6
    )
    (at_200,) = recorded_rows(RECORDED, "scaling-cuda.json", hidden=200)
    assert figures["alone: best of 3 rounds of 300 steps"] == round(at_200["us_per_step"])
    parts = {row["part"]: row["us"] for row in recorded_rows(RECORDED, "profile-cuda.json")}
    assert figures["part by part, waited for: mean of 2,000 steps"] == round(
        sum(parts[p] for p in ("forward", "loss", "zero_grad", "backward", "step"))
    )
    assert figures["alone: best of several rounds of 2,000 steps"] == round(
        parts["whole step, untimed parts"]
    )
    hand_written = table.loc["hand-written (sgd_step)"]
    assert hand_written["time per step"].tolist() == ["240 µs", "32 µs"]
    # The recorded file says which step its per-image rows timed.
    steps = recorded_rows(RECORDED, "gpu-cuda.json", benchmark="per_image_step")
    assert {row["step"] for row in steps} == {"sgd_step"}


def test_no_recorded_files_no_step_times(tmp_path):
    assert recorded_step_times(tmp_path).empty
    assert recorded_step_times(None).empty


def _paths_record(**run) -> dict:
    row = {
        "device": "cpu",
        "seconds_full_run": 100.0,
        "speedup_vs_original": 1.0,
        "test_accuracy": 0.9039,
        "extrapolated": False,
    }
    return {
        **_record("cpu", rows=[
            {**row, "path": "original"},
            {**row, "path": "hand_written", "seconds_full_run": 10.0, "speedup_vs_original": 10.0},
            {**row, "path": "minibatch", "test_accuracy": 0.9792},
        ]),
        "versions": {"torch": "2.13.0+cpu"},
        "run": {"epochs": 3, "minibatch": {"batch_size": 64}, **run},
    }  # fmt: skip


def test_the_recorded_paths_are_a_table_in_words(tmp_path):
    record = _paths_record()
    record["machine"]["cpu"] = "CPU: a test CPU"
    (tmp_path / "paths.json").write_text(json.dumps(record))
    table = recorded_paths(tmp_path)
    assert table.index.tolist() == ["original", "hand-written", "mini-batches of 64"]
    assert table.columns.tolist() == [
        "3 epochs (s)",
        "times as fast as the original",
        "test accuracy",
    ]
    assert table["test accuracy"].tolist() == ["90.39%", "90.39%", "97.92%"]
    assert table.attrs["recorded"] == "CPU: a test CPU, 2026-12-01, torch 2.13.0+cpu"


def test_recorded_paths_say_when_their_times_are_estimated(tmp_path):
    record = _paths_record()
    record["machine"]["cpu"] = "CPU: a test CPU"
    record["results"][0]["extrapolated"] = True
    (tmp_path / "paths.json").write_text(json.dumps(record))
    assert recorded_paths(tmp_path).columns[0] == "3 epochs (s, estimated from part)"


def test_the_repositorys_recorded_paths_are_read():
    table = recorded_paths(REPO / "benchmarks" / "results")
    assert {"original", "fast"} <= set(table.index)
    assert recorded_paths(None) is None


def test_damaged_recorded_paths_are_a_clear_error(tmp_path):
    record = _paths_record()
    del record["run"]
    (tmp_path / "paths.json").write_text(json.dumps(record))
    with pytest.raises(InvalidDataError, match=r"paths\.json: not a results file"):
        recorded_paths(tmp_path)


def test_the_home_page_says_where_and_when_each_recorded_figure_was_measured():
    home = " ".join((REPO / "docs" / "index.rst").read_text().split())
    for path in RECORDED.glob("*.json"):
        record = json.loads(path.read_text())
        names = [name for name in record["machine"]["devices"].values() if "CPU" not in name]
        date = record["date_utc"][:10]
        for name in names:  # "CUDA: NVIDIA H200" is said "an NVIDIA H200"
            assert f"{name.split(': ', 1)[1]} on {date}" in home, (path.name, name, date)
    paths = json.loads((REPO / "benchmarks" / "results" / "paths.json").read_text())
    cores = paths["machine"]["cpu"].split(", ")[1].split()[0]  # "2 logical cores"
    assert f"{cores}-core AMD EPYC CPU on {paths['date_utc'][:10]}" in home
    assert "AMD EPYC" in paths["machine"]["cpu"]
