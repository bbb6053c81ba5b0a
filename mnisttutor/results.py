"""Reading the recorded benchmark results that ``benchmarks/*.py`` write.

Every results file is one JSON object: where and when it ran (``date_utc``,
``machine``, ``versions``, ...) and ``results``, a list of rows. A scaling row is
``{"device": "mps", "hidden": 200, "us_per_step": 512.3}``: the device as
``str(torch.device)``, a key of ``machine["devices"]``, which describes it in words.
``benchmarks/scaling.py`` writes these; this module is the one reader, of them and of
the other files (:func:`recorded_rows`).
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
    try:
        record = json.loads(path.read_text())
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
