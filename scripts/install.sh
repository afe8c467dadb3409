#!/usr/bin/env bash
# Installs what t2sql needs on Debian 12 and is not there yet: the pinned apt
# packages, the pinned npm tarballs (checked by sha256, cached outside the
# source tree), and the llama.cpp source taken from node-llama-cpp's bundle.
# Running it again does nothing that is already done.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/deps.sh"

log() { printf '[install] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_apt() {
  local missing=() spec name version
  for spec in "${T2SQL_APT_PACKAGES[@]}"; do
    name="${spec%%=*}"
    dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'install ok installed' || missing+=("$spec")
  done
  if ! command -v npm >/dev/null 2>&1; then missing+=(nodejs npm); fi
  [ ${#missing[@]} -eq 0 ] && { log "apt packages: all present"; return; }
  log "apt packages to install: ${missing[*]}"
  as_root apt-get update -q
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    # A point release can replace a pinned version in the archive; the
    # package name still pins the major version on bookworm.
    log "a pinned version is gone from the archive; installing the archive's current versions"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]%%=*}"
  fi
}

fetch_npm() {
  mkdir -p "$T2SQL_CACHE_DIR/npm"
  local entry file spec sum got
  for entry in "${T2SQL_NPM_PACKAGES[@]}"; do
    IFS='|' read -r file spec sum <<<"$entry"
    local path="$T2SQL_CACHE_DIR/npm/$file"
    if [ ! -f "$path" ]; then
      log "npm pack $spec"
      (cd "$T2SQL_CACHE_DIR/npm" && npm pack --silent "$spec" >/dev/null)
    fi
    got="$(sha256sum "$path" | cut -d' ' -f1)"
    if [ "$got" != "$sum" ]; then
      rm -f "$path"
      echo "error: $file has sha256 $got, expected $sum; removed it" >&2
      exit 1
    fi
    local dir="$T2SQL_CACHE_DIR/npm/${file%.tgz}"
    if [ ! -d "$dir" ]; then
      mkdir -p "$dir.tmp" && tar -xzf "$path" -C "$dir.tmp" && mv "$dir.tmp" "$dir"
    fi
  done
}

# The MCP SDK and the packages its client imports, as one node_modules folder
# built beside the tarballs (checked like the others); rebuilt when a pin changes.
fetch_mcp_client() {
  mkdir -p "$T2SQL_CACHE_DIR/npm"
  local dir="$T2SQL_MCP_CLIENT_DIR" entry file spec sum module got
  local pins; pins="$(printf '%s\n' "${T2SQL_NPM_MCP_CLIENT_PACKAGES[@]}")"
  if [ -f "$dir/.complete" ] && [ "$(cat "$dir/.complete")" = "$pins" ]; then log "MCP client: $dir"; return; fi
  rm -rf "$dir.tmp"
  for entry in "${T2SQL_NPM_MCP_CLIENT_PACKAGES[@]}"; do
    IFS='|' read -r file spec sum module <<<"$entry"
    local path="$T2SQL_CACHE_DIR/npm/$file"
    if [ ! -f "$path" ]; then
      log "npm pack $spec"
      (cd "$T2SQL_CACHE_DIR/npm" && npm pack --silent "$spec" >/dev/null)
    fi
    got="$(sha256sum "$path" | cut -d' ' -f1)"
    if [ "$got" != "$sum" ]; then
      rm -f "$path"
      echo "error: $file has sha256 $got, expected $sum; removed it" >&2
      exit 1
    fi
    mkdir -p "$dir.tmp/node_modules/$module"
    tar -xzf "$path" -C "$dir.tmp/node_modules/$module" --strip-components=1
  done
  printf '%s' "$pins" >"$dir.tmp/.complete"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  log "MCP client: $dir"
}

unpack_llama() {
  if [ -f "$T2SQL_LLAMA_DIR/CMakeLists.txt" ]; then log "llama.cpp: $T2SQL_LLAMA_DIR"; return; fi
  local bundle="$T2SQL_CACHE_DIR/npm/node-llama-cpp-3.22.1/package/llama/gitRelease.bundle"
  log "llama.cpp: cloning the bundle into $T2SQL_LLAMA_DIR"
  rm -rf "$T2SQL_LLAMA_DIR.tmp"
  git -c advice.detachedHead=false clone -q "$bundle" "$T2SQL_LLAMA_DIR.tmp"
  git -C "$T2SQL_LLAMA_DIR.tmp" -c advice.detachedHead=false checkout -q "$T2SQL_LLAMA_COMMIT"
  local got; got="$(git -C "$T2SQL_LLAMA_DIR.tmp" rev-parse HEAD)"
  [ "$got" = "$T2SQL_LLAMA_COMMIT" ] || { echo "error: llama.cpp bundle is at $got, expected $T2SQL_LLAMA_COMMIT" >&2; exit 1; }
  mv "$T2SQL_LLAMA_DIR.tmp" "$T2SQL_LLAMA_DIR"
}

install_apt
fetch_npm
fetch_mcp_client
unpack_llama
log "done"
