"""Reading the recorded benchmark results that ``benchmarks/*.py`` write.

Every results file is one JSON object: where and when it ran (``date_utc``,
``machine``, ``versions``, ...) and ``results``, a list of rows. A scaling row is
``{"device": "cuda", "hidden": 200, "us_per_step": 512.3}``: the device as
``str(torch.device)``, a key of ``machine["devices"]``, which describes it in words.
``benchmarks/scaling.py`` writes these; this module is the one reader.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import InvalidDataError

RESULTS_FOLDER = Path("benchmarks") / "results"


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


def recorded_curves(
    folder: str | os.PathLike | None, *, accelerators_only: bool = True
) -> dict[str, list[tuple[int, float]]]:
    """The hidden-size curves recorded in ``folder``'s ``scaling-*.json`` files.

        Parameters
        ----------
        folder
            A results folder, such as :func:`find_results` returns; ``None`` gives no curves.
        accelerators_only
            Leave out the rows measured on a CPU (a page measures its own CPU).

        Raises
        ------
        InvalidDataError
            A ``scaling-*.json`` file is not in the form the benchmarks write.

        Returns
        -------
        dict
            ``"<device described>, <date>"`` to ``[(hidden, µs per step), ...]``, by size.

        Examples
        --------
        >>> import json, tempfile
        >>> from pathlib import Path

    from .errors import InvalidDataError
        >>> from mnisttutor.results import recorded_curves
        >>> record = {"date_utc": "2026-12-01T12:00:00+00:00",
        ...           "machine": {"devices": {"cuda": "CUDA: NVIDIA H200"}},
        ...           "results": [{"device": "cuda", "hidden": 500, "us_per_step": 90.0},
        ...                       {"device": "cuda", "hidden": 200, "us_per_step": 88.0}]}
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     _ = (Path(folder) / "scaling-cuda.json").write_text(json.dumps(record))
        ...     recorded_curves(folder)
        {'CUDA: NVIDIA H200, 2026-12-01': [(200, 88.0), (500, 90.0)]}
    """
    curves: dict[str, list[tuple[int, float]]] = {}
    if folder is None:
        return curves
    for path in sorted(Path(folder).glob("scaling-*.json")):
        try:
            record = json.loads(path.read_text())
            names, date = record["machine"]["devices"], record["date_utc"][:10]
            for row in record["results"]:
                if accelerators_only and row["device"].startswith("cpu"):
                    continue
                name = f"{names.get(row['device'], row['device'])}, {date}"
                curves.setdefault(name, []).append((int(row["hidden"]), row["us_per_step"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # JSON errors too
            raise InvalidDataError(
                f"{path}: not a results file as benchmarks/scaling.py writes it "
                f"({type(exc).__name__}: {exc}). Run the benchmark again, or remove the file."
            ) from exc
    return {name: sorted(points) for name, points in curves.items()}
