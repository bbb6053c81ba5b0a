"""The command line: help everywhere, one-line errors, real work on small data."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import torch

from mnisttutor import data
from mnisttutor.cli import main

COMMANDS = ["fetch", "csv", "train", "evaluate"]


@pytest.mark.parametrize("args", [[], *([c] for c in COMMANDS)])
def test_help_works_everywhere(args):
    result = subprocess.run(
        [sys.executable, "-m", "mnisttutor", *args, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_fetch_and_csv_print_paths(synthetic, capsys, tmp_path):
    assert main(["fetch", "--data-dir", str(synthetic)]) == 0
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().out
    assert main(["csv", "--data-dir", str(synthetic), "--csv-dir", str(tmp_path / "csv")]) == 0
    assert "mnist_test.csv" in capsys.readouterr().out


def test_fetch_verify_checks_the_csvs_in_full_and_rewrites_a_changed_one(
    synthetic, capsys, tmp_path
):
    folders = ["--data-dir", str(synthetic), "--csv-dir", str(tmp_path / "csv")]
    assert main(["csv", *folders]) == 0
    train_csv = tmp_path / "csv" / "mnist_train.csv"
    good, stat = train_csv.read_bytes(), train_csv.stat()
    train_csv.write_bytes(good.replace(b",", b";", 1))  # same size; then the same time
    os.utime(train_csv, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    capsys.readouterr()
    assert main(["fetch", "--verify", *folders]) == 0
    out = capsys.readouterr().out
    assert f"{train_csv} (whole content checked)" in out
    assert train_csv.read_bytes() == good


def test_train_save_and_evaluate(synthetic, capsys, tmp_path):
    weights = tmp_path / "w.pt"
    common = ["--data-dir", str(synthetic), "--csv-dir", str(tmp_path / "csv")]
    assert main(["train", "--epochs", "1", "--hidden", "8", "--save", str(weights), *common]) == 0
    out = capsys.readouterr().out
    assert "test accuracy:" in out
    assert weights.exists()
    assert main(["evaluate", str(weights), *common]) == 0
    assert out.split("test accuracy:")[1].split()[0] in capsys.readouterr().out


def test_missing_data_is_one_line_and_non_zero(synthetic, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data, "MIRRORS", ("http://127.0.0.1:9/",))
    monkeypatch.setattr(
        data.fetch_mnist, "__kwdefaults__", {"mirrors": ("http://127.0.0.1:9/",), "progress": None}
    )
    assert main(["fetch", "--data-dir", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnisttutor: error: ")
    assert err.count("\n") == 1
    assert "MNISTTUTOR_DATA_DIR" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [["train", "--epochs", "0"], ["evaluate", "no-such-file.pt"]])
def test_bad_arguments_are_one_line_errors(synthetic, capsys, args):
    assert main([*args, "--data-dir", str(synthetic)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnisttutor: error: ")
    assert err.count("\n") == 1


def test_unreadable_weights(tmp_path, synthetic, capsys):
    bad = tmp_path / "bad.pt"
    bad.write_text("not weights")
    assert main(["evaluate", str(bad), "--data-dir", str(synthetic)]) == 1
    assert "bad.pt" in capsys.readouterr().err


def test_train_fast_method_matches_the_tutorial_method(synthetic, capsys, tmp_path):
    common = ["train", "--epochs", "2", "--hidden", "8", "--data-dir", str(synthetic)]
    common += ["--csv-dir", str(tmp_path / "csv")]
    scores = {}
    threads = torch.get_num_threads()
    try:
        for method in ("tutorial", "fast"):
            assert main([*common, "--method", method, "--threads", "1"]) == 0
            out = capsys.readouterr().out
            assert f"method: {method}," in out
            scores[method] = out.split("test accuracy:")[1].split()[0]
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(threads)
    assert scores["fast"] == scores["tutorial"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--threads", "0"], "--threads must be at least 1"), (["--epochs", "0"], "--epochs")],
)
def test_bad_train_options_are_one_line_errors(synthetic, capsys, tmp_path, args, message):
    assert main(["train", "--data-dir", str(synthetic), *args]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mnisttutor: error: ")
    assert message in err


def test_unknown_method_is_refused(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["train", "--method", "quantum"])
    assert caught.value.code == 2
    assert "invalid choice: 'quantum'" in capsys.readouterr().err
