#!/usr/bin/env bash
# Installs, idempotently, the benchmark peers that are not npm packages: PyTorch for the CPU
# (Debian's python3-torch, with python3-numpy), which `pnpm bench` then times against spikeflow.
# The npm peers (TensorFlow.js, jax-js) come with the workspace's `pnpm install`. The benchmarks run
# without PyTorch too (they skip it with one line), so scripts/setup.sh does not install it.
#
# Usage: bash scripts/setup-bench-peers.sh   (as root on Debian)
set -euo pipefail

log() { printf '[setup-bench-peers] %s\n' "$*"; }
die() { printf '[setup-bench-peers] ERROR: %s\n' "$*" >&2; exit 1; }

# The harness looks for torch in SPIKEFLOW_BENCH_PYTHON, else in every python3 on the PATH (a
# version manager's python3 may come first and not see the system's packages).
pythons() { if [ -n "${SPIKEFLOW_BENCH_PYTHON:-}" ]; then echo "$SPIKEFLOW_BENCH_PYTHON"; else type -ap python3 | awk '!seen[$0]++'; fi; }
for python in $(pythons); do
  if version=$("$python" -c 'import numpy, torch; print(torch.__version__)' 2>/dev/null); then
    log "PyTorch $version is already importable from $python; nothing to do"
    exit 0
  fi
done

command -v apt-get >/dev/null 2>&1 || die 'no apt-get: install PyTorch and numpy for python3 by hand (or point SPIKEFLOW_BENCH_PYTHON at a Python that has them)'
[ "$(id -u)" = 0 ] || die 'run as root to install python3-torch with apt-get'
log 'installing python3-torch and python3-numpy with apt-get'
apt-get install -y --no-install-recommends python3-torch python3-numpy \
  || { apt-get update && apt-get install -y --no-install-recommends python3-torch python3-numpy; }
for python in $(pythons); do
  if version=$("$python" -c 'import numpy, torch; print(torch.__version__)' 2>/dev/null); then
    log "PyTorch $version installed, importable from $python"
    exit 0
  fi
done
die 'python3-torch was installed, but no python3 on the PATH imports it'
