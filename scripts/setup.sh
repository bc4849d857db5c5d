#!/usr/bin/env bash
# Installs, idempotently, what spikeflow needs on Linux:
#   - pnpm (through npm),
#   - Mesa's lavapipe Vulkan driver >= 25 (Dawn's software adapter for WebGPU in Node and Deno),
#   - Debian's chromium (headless browser tests),
#   - the workspace's pnpm dependencies.
# It says what it skipped when it is not root or not on Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

is_root() { [ "$(id -u)" = 0 ]; }
is_debian() { [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }

mesa_version() {
  dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | sed -E 's/^[0-9]+://; s/[^0-9.].*$//' || true
}

install_system_packages() {
  if ! is_debian; then
    log "SKIPPED system packages: not a Debian system. Install a Vulkan driver with WebGPU support (Mesa >= 25 lavapipe on machines without a GPU) and chromium yourself."
    return
  fi
  if ! is_root; then
    log "SKIPPED system packages: not root. As root, run this script again (or install mesa-vulkan-drivers >= 25 from bookworm-backports and chromium)."
    return
  fi
  local have_mesa; have_mesa=$(mesa_version)
  if [ -n "$have_mesa" ] && [ "${have_mesa%%.*}" -ge 25 ] && command -v chromium >/dev/null 2>&1; then
    log "system packages present: mesa-vulkan-drivers $have_mesa, $(chromium --version 2>/dev/null | head -1)"
    return
  fi
  local sources=/etc/apt/sources.list.d/debian.sources
  if grep -q 'bookworm' /etc/os-release 2>/dev/null; then
    # Debian bookworm's own Mesa (22.x) offers Dawn no adapter; backports has 25.x.
    if [ -f "$sources" ] && ! grep -q 'bookworm-backports' "$sources"; then
      log "adding bookworm-backports to the first Suites: line of $sources"
      sed -i '0,/^Suites:/{s/^Suites:\(.*\)$/Suites:\1 bookworm-backports/}' "$sources"
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  else
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  log "installed mesa-vulkan-drivers $(mesa_version), $(chromium --version 2>/dev/null | head -1)"
}

install_pnpm() {
  if command -v pnpm >/dev/null 2>&1; then
    log "pnpm $(pnpm --version) present"
    return
  fi
  if is_root || [ -w "$(npm prefix -g)/lib" ]; then
    npm install -g --silent pnpm@10
    log "installed pnpm $(pnpm --version)"
  else
    log "SKIPPED pnpm: cannot install globally as this user; run 'npm install -g pnpm' with the right permissions."
    exit 1
  fi
}

install_system_packages
install_pnpm
pnpm install --frozen-lockfile=false --reporter=append-only
log "done"
