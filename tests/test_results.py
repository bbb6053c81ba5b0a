"""Reading recorded benchmark results: the curves a section 7 page draws, and bad files."""

from __future__ import annotations

import json

import pytest

from mnisttutor import InvalidDataError
from mnisttutor.results import find_results, recorded_curves


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
