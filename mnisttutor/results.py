"""Reading the recorded benchmark results that ``benchmarks/*.py`` write.

Every results file is one JSON object: where and when it ran (``date_utc``,
``machine``, ``versions``, ...) and ``results``, a list of rows. A scaling row is
``{"device": "mps", "hidden": 200, "us_per_step": 512.3}``: the device as
``str(torch.device)``, a key of ``machine["devices"]``, which describes it in words.
``benchmarks/scaling.py`` writes these; this module is the one reader, of them and of
the other files (:func:`recorded_rows`), and what turns them into a page's tables and
sentences (:func:`recorded_step_times`, :func:`recorded_paths`, :func:`how_much_faster`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import InvalidDataError

RESULTS_FOLDER = Path("benchmarks") / "results"
# Results recorded on an accelerator, shipped with the package: the pages draw them
# wherever they run, a downloaded notebook on a hosted GPU included.
RECORDED = Path(__file__).resolve().parent / "recorded"


def find_results(start: str | os.PathLike | None = None) -> Path | None:
    """The repository's ``benchmarks/results`` folder at or above ``start`` (default: here).

    A gallery page runs from its own folder inside the repository, so it looks upwards.
    ``None`` where there is none, as in a downloaded notebook.

    Examples
    --------
    >>> import tempfile
    >>> from mnisttutor.results import find_results
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(find_results(folder))
    None
    """
    here = Path.cwd() if start is None else Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / RESULTS_FOLDER).is_dir():
            return folder / RESULTS_FOLDER
    return None


def _not_results(path: Path, exc: Exception) -> InvalidDataError:
    return InvalidDataError(
        f"{path}: not a results file as benchmarks/*.py write it "
        f"({type(exc).__name__}: {exc}). Run the benchmark again, or remove the file."
    )


def how_much_faster(seconds: float, than: float, name: str = "") -> str:
    """How a time of ``seconds`` compares with one of ``than``, in words.

    "N times faster" or "N times slower", N to one decimal below 10 and whole (with a
    thousands separator) above; within 5% either way, "about as fast". Any unit will do,
    the same for both. With ``name``, the words go on to what ``than`` timed: "2.3
    times slower than NAME", "about as fast as NAME".

    Raises
    ------
    ValueError
        A time is not above zero.

    Examples
    --------
    >>> from mnisttutor.results import how_much_faster
    >>> how_much_faster(1.0, than=3.7), how_much_faster(1357, than=586)
    ('3.7 times faster', '2.3 times slower')
    >>> how_much_faster(0.395, than=110.6), how_much_faster(1312, than=1357)
    ('280 times faster', 'about as fast')
    >>> how_much_faster(1312, than=1357, name="the CPU")
    'about as fast as the CPU'
    """
    if not (seconds > 0 and than > 0):
        raise ValueError(f"how_much_faster needs two times above zero, got {seconds} and {than}.")
    ratio = than / seconds
    factor = max(ratio, 1 / ratio)
    if factor <= 1.05:
        words, link = "about as fast", "as"
    else:
        amount = f"{factor:,.0f}" if round(factor, 1) >= 10 else f"{factor:.1f}"
        words, link = f"{amount} times {'faster' if ratio > 1 else 'slower'}", "than"
    return f"{words} {link} {name}" if name else words


def _record(path: Path) -> dict:
    """A results file, read and checked for the fields every reader needs."""
    try:
        record = json.loads(path.read_text())
        record["machine"]["devices"], record["date_utc"][:10], list(record["results"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSON errors too
        raise _not_results(path, exc) from exc
    return record


def recorded_rows(folder: str | os.PathLike | None, name: str, **match: object) -> list[dict]:
    """The rows of the results file ``name`` in ``folder`` whose fields equal ``match``.

    Each row comes back with ``"recorded"``: ``"<device described>, <date>"``, the
    label a page shows beside it. A row without a ``"device"`` was measured on the
    file's one device.

    Parameters
    ----------
    folder
        A results folder, such as ``RECORDED`` or what :func:`find_results`
        returns; ``None`` gives no rows.
    name
        The file, such as ``"gpu-cuda.json"``; a file that is not there gives no rows.
    **match
        Fields a row must have, with these values (``benchmark="matmul"``).

    Raises
    ------
    InvalidDataError
        The file is not in the form the benchmarks write.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from mnisttutor.results import recorded_rows
    >>> record = {"date_utc": "2026-12-04T13:35:53+00:00",
    ...           "machine": {"devices": {"mps": "MPS: Apple M3"}},
    ...           "results": [{"benchmark": "training", "device": "mps", "seconds": 20.5},
    ...                       {"benchmark": "matmul", "device": "mps", "size": 64}]}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "gpu-mps.json").write_text(json.dumps(record))
    ...     (row,) = recorded_rows(folder, "gpu-mps.json", benchmark="training")
    >>> row["seconds"], row["recorded"]
    (20.5, 'MPS: Apple M3, 2026-12-04')
    """
    path = None if folder is None else Path(folder) / name
    if path is None or not path.is_file():
        return []
    record = _record(path)
    try:
        names, date = record["machine"]["devices"], record["date_utc"][:10]
        (only,) = names if len(names) == 1 else (None,)
        rows = [{"device": only, **row} for row in record["results"]]
        return [
            {**row, "recorded": f"{names[row['device']]}, {date}"}
            for row in rows
            if all(row.get(key) == value for key, value in match.items())
        ]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSON errors too
        raise _not_results(path, exc) from exc


def recorded_curves(
    folder: str | os.PathLike | None,
    *,
    accelerators_only: bool = True,
    host_cpus: bool = False,
) -> dict[str, list[tuple[int, float]]]:
    """The hidden-size curves recorded in ``folder``'s ``scaling-*.json`` files.

    Parameters
    ----------
    folder
        A results folder, such as :func:`find_results` returns; ``None`` gives no curves.
    accelerators_only
        Leave out the rows measured on a CPU (a page measures its own CPU).
    host_cpus
        With ``accelerators_only``, keep the CPU rows of a machine that had an
        accelerator (``machine["accelerator_present"]``): the fair comparison for its
        accelerator's curve, measured on the same machine.

    Returns
    -------
    dict
        ``"<device described>, <date>"`` to ``[(hidden, µs per step), ...]``, by size.

    Raises
    ------
    InvalidDataError
        A ``scaling-*.json`` file is not in the form the benchmarks write.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from mnisttutor.results import recorded_curves
    >>> record = {"date_utc": "2026-12-01T12:00:00+00:00",
    ...           "machine": {"devices": {"mps": "MPS: Apple M3"}},
    ...           "results": [{"device": "mps", "hidden": 500, "us_per_step": 90.0},
    ...                       {"device": "mps", "hidden": 200, "us_per_step": 88.0}]}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "scaling-mps.json").write_text(json.dumps(record))
    ...     recorded_curves(folder)
    {'MPS: Apple M3, 2026-12-01': [(200, 88.0), (500, 90.0)]}
    """
    curves: dict[str, list[tuple[int, float]]] = {}
    if folder is None:
        return curves
    for path in sorted(Path(folder).glob("scaling-*.json")):
        try:
            record = json.loads(path.read_text())
            names, date = record["machine"]["devices"], record["date_utc"][:10]
            beside_accelerator = host_cpus and record["machine"].get("accelerator_present")
            for row in record["results"]:
                if accelerators_only and row["device"].startswith("cpu") and not beside_accelerator:
                    continue
                name = f"{names.get(row['device'], row['device'])}, {date}"
                curves.setdefault(name, []).append((int(row["hidden"]), row["us_per_step"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSON errors too
            raise _not_results(path, exc) from exc
    return {name: sorted(points) for name, points in curves.items()}


def crossing(
    rising: list[tuple[int, float]], flat: list[tuple[int, float]]
) -> tuple[int, int] | None:
    """The two sizes between which the ``rising`` curve first climbs above ``flat``.

    Both curves are ``[(size, time), ...]`` at the same sizes, as :func:`recorded_curves`
    gives them. ``None`` if ``rising`` starts above ``flat`` or never climbs above it.

    Examples
    --------
    >>> from mnisttutor.results import crossing
    >>> crossing([(200, 500.0), (500, 800.0), (1000, 1400.0)],
    ...          [(200, 1300.0), (500, 1200.0), (1000, 1300.0)])
    (500, 1000)
    >>> crossing([(200, 5.0)], [(200, 1.0)]) is None
    True
    """
    if [size for size, _ in rising] != [size for size, _ in flat]:
        raise ValueError("crossing needs two curves measured at the same sizes.")
    below = [a < b for (_, a), (_, b) in zip(rising, flat, strict=True)]
    for i in range(1, len(below)):
        if below[i - 1] and not below[i]:
            return rising[i - 1][0], rising[i][0]
    return None


TUTORIAL_STEP = "the tutorial's (Classifier.train)"
HAND_WRITTEN_STEP = "hand-written (sgd_step)"
STEP_TIMES_COLUMNS = ["step", "how it was timed", "time per step"]


def recorded_step_times(folder: str | os.PathLike | None = RECORDED):
    """One image's training step on the recorded accelerator, each way it was timed.

    One run of ``benchmarks/gpu.sh`` timed the step several ways, and each way gives its
    own figure: a whole training divided by its steps (``gpu-<device>.json``); the step
    alone, the best of a few rounds (``scaling-<device>.json`` at the tutorial's 200
    hidden nodes, and ``profile-<device>.json``); its five parts, each waited for, added
    up (``profile-<device>.json``); and the hand-written step, one operation at a time and
    as one CUDA graph (``gpu-<device>.json``).

    Returns
    -------
    pandas.DataFrame
        A row per figure, indexed by which ``step``: ``how it was timed``, and the
        ``time per step`` in words ("1,138 µs"). ``attrs["recorded"]`` is the device
        and the date. No rows where ``folder`` has no ``gpu-*.json``.

    Raises
    ------
    InvalidDataError
        A file is not in the form the benchmarks write.

    Examples
    --------
    >>> from mnisttutor.results import recorded_step_times
    >>> table = recorded_step_times()  # the files that ship with the package
    >>> table.attrs["recorded"]
    'CUDA: NVIDIA H200, 2026-12-04'
    >>> table.iloc[0].tolist()
    ['a whole training: 204.8 s / 180,000 steps', '1,138 µs']
    """
    import pandas as pd

    from .classifier import HIDDEN_NODES
    from .profiling import STEP_PARTS

    folder = None if folder is None else Path(folder)
    found = sorted(folder.glob("gpu-*.json")) if folder is not None else []
    if not found:
        return pd.DataFrame(columns=STEP_TIMES_COLUMNS).set_index("step")
    gpu = found[0]
    device = gpu.stem.removeprefix("gpu-")
    rows = []
    for row in recorded_rows(folder, gpu.name, benchmark="training"):
        steps = row["epochs"] * row["images"]
        how = f"a whole training: {row['seconds']} s / {steps:,} steps"
        rows.append((TUTORIAL_STEP, how, row["seconds"] / steps * 1e6))
    scaling = folder / f"scaling-{device}.json"
    for row in recorded_rows(folder, scaling.name, hidden=HIDDEN_NODES):
        record = _record(scaling)
        how = f"alone: best of {record['rounds']} rounds of {record['steps_timed']:,} steps"
        rows.append((TUTORIAL_STEP, how, row["us_per_step"]))
    profile = folder / f"profile-{device}.json"
    parts = {row["part"]: row["us"] for row in recorded_rows(folder, profile.name)}
    if parts:
        steps = _record(profile).get("steps_timed", 0)
        if "whole step, untimed parts" in parts:
            how = f"alone: best of several rounds of {steps:,} steps"
            rows.append((TUTORIAL_STEP, how, parts["whole step, untimed parts"]))
        if set(STEP_PARTS) <= set(parts):
            how = f"part by part, waited for: mean of {steps:,} steps"
            rows.append((TUTORIAL_STEP, how, sum(parts[part] for part in STEP_PARTS)))
    for row in recorded_rows(folder, gpu.name, benchmark="per_image_step"):
        if row["us_per_image"] is not None:
            how = "one operation at a time" if row["mode"] == "eager" else "as one CUDA graph"
            rows.append((HAND_WRITTEN_STEP, f"{how}, {row['images']:,} steps", row["us_per_image"]))
    table = pd.DataFrame(
        [(step, how, f"{us:,.0f} µs") for step, how, us in rows], columns=STEP_TIMES_COLUMNS
    ).set_index("step")
    names = _record(gpu)["machine"]["devices"]
    table.attrs["recorded"] = f"{names.get(device, device)}, {_record(gpu)['date_utc'][:10]}"
    return table


# benchmarks/run.py's names for its paths, and section 8's.
PATH_NAMES = {
    "original": "original",
    "tensor_dataset": "tensor dataset",
    "hand_written": "hand-written",
    "compiled": "compiled",
    "fast": "fast",
}


def recorded_paths(folder: str | os.PathLike | None):
    """The training paths' benchmark (``paths.json``, by ``benchmarks/run.py``) as a table.

    Parameters
    ----------
    folder
        A results folder, such as :func:`find_results` returns.

    Returns
    -------
    pandas.DataFrame or None
        A row per path: its time for the whole training in seconds, how many times as
        fast as the original that is, and its test accuracy. ``attrs["recorded"]`` names
        the machine, the date and the torch that ran it. ``None`` where there is no
        ``paths.json``.

    Raises
    ------
    InvalidDataError
        The file is not in the form the benchmark writes.

    Examples
    --------
    >>> import tempfile
    >>> from mnisttutor.results import recorded_paths
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     print(recorded_paths(folder))
    None
    """
    import pandas as pd

    path = None if folder is None else Path(folder) / "paths.json"
    if path is None or not path.is_file():
        return None
    record = _record(path)
    try:
        run, rows = record["run"], record["results"]
        names = {**PATH_NAMES, "minibatch": f"mini-batches of {run['minibatch']['batch_size']}"}
        estimated = any(row["extrapolated"] for row in rows)
        seconds = f"{run['epochs']} epochs (s{', estimated from part' if estimated else ''})"
        table = pd.DataFrame(
            {
                "path": [names.get(row["path"], row["path"]) for row in rows],
                seconds: [row["seconds_full_run"] for row in rows],
                "times as fast as the original": [row["speedup_vs_original"] for row in rows],
                "test accuracy": [f"{row['test_accuracy']:.2%}" for row in rows],
            }
        ).set_index("path")
        machine = record["machine"]["cpu"]
        table.attrs["recorded"] = (
            f"{machine}, {record['date_utc'][:10]}, torch {record['versions']['torch']}"
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise _not_results(path, exc) from exc
    return table
