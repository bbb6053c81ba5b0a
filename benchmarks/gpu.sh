#!/usr/bin/env bash
# Everything the project measures that needs an accelerator, in one run of a few minutes
# (under 8 on a current GPU), recorded under benchmarks/results/:
#   gpu.py    section 7's 3-epoch training, the per-image step as a CUDA graph against
#             eager, matrix products (gpu-<device>.json), and the hidden-size curve from
#             200 to 5000 nodes on the CPU and the accelerator (scaling-<device>.json),
#             and the tutorial's network on mini-batches on both;
#   profile_step.py  section 8's parts of one per-image step on the accelerator
#             (profile-<device>.json);
#   run.py    section 8's per-image paths and mini-batches on the accelerator, on a tenth
#             of an epoch (paths-<device>.json).
# With no accelerator it says so and exits 0, recording nothing.
#
#   benchmarks/gpu.sh                    # the real run
#   benchmarks/gpu.sh --dry-run FOLDER   # tiny sizes on the CPU, into FOLDER (the tests)
set -euo pipefail
cd "$(dirname "$0")"
python="${PYTHON:-python3}"

if [[ "${1:-}" == "--dry-run" ]]; then
  exec "$python" gpu.py --dry-run --output "${2:?--dry-run needs an output folder}"
fi
device="$("$python" -c 'import mnisttutor; print(mnisttutor.best_device().type)')"
if [[ "$device" == cpu ]]; then
  echo "gpu.sh: no accelerator on this machine, so there is nothing to record here."
  exit 0
fi
"$python" gpu.py
"$python" profile_step.py --device best --threads 1
"$python" run.py --device best --quick 0.1 --threads 1 \
  --paths original tensor_dataset hand_written compiled minibatch \
  --output "results/paths-$device.json"
