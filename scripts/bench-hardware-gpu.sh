#!/usr/bin/env bash
# Benchmarks spikeflow on a machine with a hardware GPU (NVIDIA, AMD or Intel; Debian): installs
# the Vulkan loader and Mesa's Vulkan drivers that Dawn's Vulkan backend needs, checks that
# dawn.node picks a hardware adapter (not lavapipe or SwiftShader: it prints the adapter and fails
# otherwise), then runs the W1, W2 and W3 suites of `pnpm bench` (W3 holds the LIF bandwidth row)
# with the GPU implementations only, in under 8 minutes, writing BENCHMARKS-style markdown.
# Assumes Node 20 and the workspace's `pnpm install`.
#
# Usage: bash scripts/bench-hardware-gpu.sh [--allow-software] [--check-only] [--skip-install] [--out=DIR]
#   --allow-software  accept a software adapter and use the quick sizes: the same path, run on
#                     lavapipe in a few minutes (to test this script on a machine without a GPU)
#   --check-only      stop after the adapter check
#   --skip-install    do not install packages (only check for them)
#   --out=DIR         where the rows, charts and BENCHMARKS.md go (default bench/results/hardware,
#                     with --allow-software bench/results/hardware-software)
set -euo pipefail

log() { printf '[bench-hardware-gpu] %s\n' "$*"; }
die() { printf '[bench-hardware-gpu] ERROR: %s\n' "$*" >&2; exit 1; }

allow_software=0 check_only=0 skip_install=0 out=''
for arg in "$@"; do
  case "$arg" in
    --allow-software) allow_software=1 ;;
    --check-only) check_only=1 ;;
    --skip-install) skip_install=1 ;;
    --out=?*) out="${arg#--out=}" ;;
    *) die "unknown argument '$arg' (use --allow-software, --check-only, --skip-install, --out=DIR)" ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ -z "$out" ]; then out="bench/results/hardware$([ "$allow_software" = 1 ] && echo -software || true)"; fi
# Dawn (through the Vulkan loader) wants a runtime directory; a headless session may have none.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

# 1. Node and the workspace's dependencies.
command -v node >/dev/null 2>&1 || die 'no node on the PATH (Node 20 is needed)'
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node $(node --version) is too old (Node 20 is needed)"
[ -d node_modules/.pnpm ] || die 'no node_modules: run pnpm install first'
command -v pnpm >/dev/null 2>&1 || die 'no pnpm on the PATH'

# 2. Vulkan: the loader (libvulkan1) that dawn.node opens, Mesa's drivers for AMD (RADV) and Intel
# (ANV) (and lavapipe), vulkaninfo for the diagnosis. NVIDIA's Vulkan driver comes with its
# proprietary driver (nvidia-driver, or the vendor's installer), which this script does not install.
required=(libvulkan1 mesa-vulkan-drivers)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing=()
for p in "${required[@]}"; do installed "$p" || missing+=("$p"); done
[ "${#missing[@]}" = 0 ] || [ "$skip_install" = 0 ] || die "missing packages: ${missing[*]} (run without --skip-install, or apt-get install them)"
# vulkaninfo only helps diagnose; it is installed with the others, or when it is all that is missing.
if [ "$skip_install" = 0 ] && ! installed vulkan-tools; then missing+=(vulkan-tools); fi
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "no apt-get: install ${missing[*]} by hand"
  sudo=''
  if [ "$(id -u)" != 0 ]; then command -v sudo >/dev/null 2>&1 && sudo='sudo' || die "run as root (or with sudo) to install ${missing[*]}"; fi
  log "installing ${missing[*]} with apt-get"
  $sudo apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
else
  log "Vulkan packages present: ${required[*]}"
fi
if command -v nvidia-smi >/dev/null 2>&1 && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  log 'warning: nvidia-smi is here but no NVIDIA Vulkan ICD (nvidia_icd.json): install the driver'"'"'s Vulkan part (Debian: nvidia-vulkan-icd)'
fi
if command -v vulkaninfo >/dev/null 2>&1; then
  log 'Vulkan devices (vulkaninfo --summary):'
  vulkaninfo --summary 2>/dev/null | grep -E 'deviceName|deviceType|driverName' | sed 's/^/    /' || log '  (vulkaninfo found no device)'
fi

# 3. The adapter dawn.node picks: a hardware GPU, or a clear failure.
tsx=(node "$(node -p 'require.resolve("tsx/cli", { paths: [process.argv[1]] })' "$root/bench")" --tsconfig tsconfig.json)
check_args=()
[ "$allow_software" = 1 ] && check_args+=(--allow-software)
"${tsx[@]}" bench/src/hardware/check-adapter.ts "${check_args[@]}" || die 'the adapter check failed (see above)'
[ "$check_only" = 0 ] || { log 'adapter check done (--check-only)'; exit 0; }

# 4. W1, W2, W3 with the GPU implementations only. The 8-minute limit is the script's promise on
# a hardware GPU (bench/README.md says how it was estimated); the software run is slower (every
# shader compiles on the CPU), so it gets longer.
bench_args=(--gpu-only --only=w1,w2,w3 "--out=$out")
limit_s=480
if [ "$allow_software" = 1 ]; then bench_args+=(--quick); limit_s=1800; fi
log "running pnpm bench ${bench_args[*]} (limit ${limit_s} s)"
start=$(date +%s)
status=0
timeout "$limit_s" pnpm bench "${bench_args[@]}" || status=$?
elapsed=$(( $(date +%s) - start ))
[ "$status" != 124 ] || die "the benchmarks took longer than ${limit_s} s; the suites finished so far are in $out/latest.json"
[ "$status" = 0 ] || die "pnpm bench failed (exit $status) after ${elapsed} s"
log "done in ${elapsed} s: $out/BENCHMARKS.md"
