"""How long the website takes to build: from clean, then again with nothing changed.

    python benchmarks/docs_build.py              # sphinx-build, in this environment
    python benchmarks/docs_build.py --nox        # through `nox -s docs`, as CI builds it

Deletes the generated files first (docs/_build, docs/auto_examples, docs/gen_modules,
docs/sg_execution_times.rst), so the first build runs every example. Writes
benchmarks/results/docs-build.json.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time

import common

GENERATED = ("docs/_build", "docs/auto_examples", "docs/gen_modules")


def clean() -> None:
    for folder in GENERATED:
        shutil.rmtree(common.REPO / folder, ignore_errors=True)
    (common.REPO / "docs" / "sg_execution_times.rst").unlink(missing_ok=True)


def timed_build(command: list[str]) -> float:
    print("$", " ".join(command), flush=True)
    start = time.perf_counter()
    subprocess.run(command, cwd=common.REPO, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nox", action="store_true", help="build with `nox -s docs`")
    parser.add_argument("--output", type=common.Path, default=common.RESULTS / "docs-build.json")
    args = parser.parse_args()
    if args.nox:
        command = ["nox", "-s", "docs"]
    else:
        command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html"]
        command += ["docs", "docs/_build/html"]
    clean()
    rows = [
        {"build": "clean", "seconds": round(timed_build(command), 1)},
        {"build": "nothing changed", "seconds": round(timed_build(command), 1)},
    ]
    for row in rows:
        print(f"{row['build']:16} {row['seconds']:7.1f} s")
    record = common.environment([common.torch.device("cpu")])
    record["build_command"] = " ".join(command)
    common.write_results(args.output, record, rows)


if __name__ == "__main__":
    main()
