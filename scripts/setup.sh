#!/usr/bin/env bash
# Installs, idempotently, what spikeflow needs on Linux:
#   - Mesa's lavapipe Vulkan driver >= 25 and the Vulkan loader (Dawn's software
#     adapter for WebGPU in Node and Deno; bookworm's own Mesa 22.x is too old,
#     so on bookworm it comes from bookworm-backports),
#   - Debian's chromium (headless browser tests),
#   - pnpm (through npm),
#   - the workspace's pnpm dependencies.
# Anything already present is left alone. When it is not run as root, or not on
# Debian, it says which system packages it skipped and carries on.
#
# Usage: bash scripts/setup.sh
set -euo pipefail

MIN_MESA_MAJOR=25
APT_SOURCES=/etc/apt/sources.list.d/debian.sources

log() { printf '[setup] %s\n' "$*"; }
warn() { printf '[setup] WARNING: %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# One field of /etc/os-release (ID, VERSION_CODENAME, ...), empty if absent.
os_field() {
  [ -r /etc/os-release ] || return 0
  (. /etc/os-release && eval "printf '%s' \"\${$1:-}\"")
}

# Debian itself, not a derivative (Ubuntu also has /etc/debian_version but names its packages differently).
is_debian() { [ "$(os_field ID)" = debian ] && command -v apt-get >/dev/null 2>&1; }

# The installed version of a Debian package without its epoch, or nothing if it is not installed.
installed_version() {
  local out
  out=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null) || return 0
  case "$out" in
    ii*) printf '%s' "${out##* }" | sed -E 's/^[0-9]+://' ;;
  esac
}

mesa_ok() {
  local v; v=$(installed_version mesa-vulkan-drivers)
  [ -n "$v" ] && [ -n "$(installed_version libvulkan1)" ] || return 1
  local major=${v%%.*}
  [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge "$MIN_MESA_MAJOR" ]
}

chromium_ok() { command -v chromium >/dev/null 2>&1; }

describe_system_packages() {
  local m; m=$(installed_version mesa-vulkan-drivers)
  printf 'mesa-vulkan-drivers %s, libvulkan1 %s, %s' "${m:-missing}" \
    "$(installed_version libvulkan1 || true)" \
    "$(chromium --version 2>/dev/null | head -1 || printf 'chromium missing')"
}

backports_configured() {
  grep -Eqs '^[[:space:]]*Suites:.*[[:space:]]bookworm-backports([[:space:]]|$)' /etc/apt/sources.list.d/*.sources ||
    grep -Eqs '^[[:space:]]*deb[[:space:]].*[[:space:]]bookworm-backports([[:space:]]|$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list
}

# Makes bookworm-backports available to apt, reusing the mirror the machine already uses.
enable_backports() {
  if backports_configured; then
    return
  fi
  if [ -f "$APT_SOURCES" ] && grep -Eq '^[[:space:]]*Suites:' "$APT_SOURCES"; then
    log "adding bookworm-backports to the first Suites: line of $APT_SOURCES"
    sed -i -E '0,/^[[:space:]]*Suites:/{s/^([[:space:]]*Suites:.*[^[:space:]])[[:space:]]*$/\1 bookworm-backports/}' "$APT_SOURCES"
  else
    # Older layout: one-line entries in /etc/apt/sources.list. Copy the mirror of its bookworm main entry.
    local line
    line=$(grep -Em1 '^[[:space:]]*deb[[:space:]]+[^[:space:]]+[[:space:]]+bookworm[[:space:]]' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$line" ] || die "cannot find a bookworm apt source to derive bookworm-backports from; add bookworm-backports to your apt sources and run this again."
    local uri; uri=$(printf '%s\n' "$line" | awk '{print $2}')
    log "adding bookworm-backports (from $uri) in /etc/apt/sources.list.d/bookworm-backports.list"
    printf 'deb %s bookworm-backports main\n' "$uri" >/etc/apt/sources.list.d/bookworm-backports.list
  fi
  backports_configured || die "failed to add bookworm-backports to the apt sources"
}

install_system_packages() {
  local need_mesa=0 need_chromium=0
  mesa_ok || need_mesa=1
  chromium_ok || need_chromium=1
  if [ "$need_mesa" = 0 ] && [ "$need_chromium" = 0 ]; then
    log "system packages present: $(describe_system_packages)"
    return
  fi
  local missing=""
  [ "$need_mesa" = 1 ] && missing="mesa-vulkan-drivers >= $MIN_MESA_MAJOR with libvulkan1"
  [ "$need_chromium" = 1 ] && missing="${missing:+$missing, }chromium"
  if ! is_debian; then
    log "SKIPPED system packages (not a Debian system): install $missing yourself." \
      "Without Mesa >= $MIN_MESA_MAJOR lavapipe (or a real GPU driver) the WebGPU tests find no adapter; without chromium the browser tests cannot run."
    return
  fi
  if ! is_root; then
    log "SKIPPED system packages (not root): $missing. Run 'bash scripts/setup.sh' as root to install them."
    return
  fi

  export DEBIAN_FRONTEND=noninteractive
  local codename; codename=$(os_field VERSION_CODENAME)
  if [ "$need_mesa" = 1 ] && [ "$codename" = bookworm ]; then
    enable_backports
  fi
  log "apt-get update"
  apt-get update -qq
  if [ "$need_mesa" = 1 ]; then
    if [ "$codename" = bookworm ]; then
      log "installing mesa-vulkan-drivers and libvulkan1 from bookworm-backports"
      apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
    else
      log "installing mesa-vulkan-drivers and libvulkan1"
      apt-get install -y -qq mesa-vulkan-drivers libvulkan1 >/dev/null
    fi
    mesa_ok || warn "mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers) is older than $MIN_MESA_MAJOR: Dawn will find no software WebGPU adapter."
  fi
  if [ "$need_chromium" = 1 ]; then
    log "installing chromium"
    apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  fi
  log "system packages: $(describe_system_packages)"
}

check_node() {
  command -v node >/dev/null 2>&1 || die "Node.js >= 20 is required and 'node' is not on PATH."
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || die "Node.js >= 20 is required; found $(node --version)."
}

install_pnpm() {
  if command -v pnpm >/dev/null 2>&1; then
    log "pnpm $(pnpm --version) present"
    return
  fi
  if is_root || [ -w "$(npm prefix -g)/lib" ]; then
    log "installing pnpm@10 with npm"
    npm install -g --silent pnpm@10
    hash -r
    command -v pnpm >/dev/null 2>&1 || die "npm installed pnpm but it is not on PATH (npm's global bin is $(npm prefix -g)/bin)."
    log "installed pnpm $(pnpm --version)"
  else
    die "pnpm is missing and this user cannot install npm packages globally. Run 'npm install -g pnpm@10' as root (or with a user-writable npm prefix), then run this again."
  fi
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  check_node
  install_system_packages
  install_pnpm
  log "pnpm install"
  pnpm install --no-frozen-lockfile --reporter=append-only
  log "done"
}

# Run only when executed, so the functions above can be sourced and checked one by one.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
