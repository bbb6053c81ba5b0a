#!/usr/bin/env bash
# Every walkthrough run as a plain script, as a reader runs a download, each in its own
# folder with a time limit; prints one line per walkthrough: its exit status and time.
# For a machine the docs are not built on (the lent GPU machine): does each page run there?
#
#   benchmarks/walkthroughs.sh LOGDIR [SECONDS_EACH [SCRIPT ...]]   (default: every page)
set -uo pipefail
cd "$(dirname "$0")/.."
logs="$(realpath -m "${1:?walkthroughs.sh needs a folder for the logs}")"
limit="${2:-300}"
python="${PYTHON:-python3}"
mkdir -p "$logs"
export MPLBACKEND=Agg PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
shift $(($# < 2 ? $# : 2))
(($#)) || set -- examples/*/plot_*.py
for script in "$@"; do
  name="$(basename "$(dirname "$script")")-$(basename "$script" .py)"
  start=$SECONDS
  (cd "$(dirname "$script")" && timeout "$limit" "$python" "$(basename "$script")") \
    >"$logs/$name.log" 2>&1
  echo "$script rc=$? $((SECONDS - start))s"
done
