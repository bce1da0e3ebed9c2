#!/usr/bin/env bash
# Installs everything k8ts needs on a fresh Debian machine, then builds it. Safe to run again:
# it installs only what is missing. Apt packages need root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, by the command each provides.
declare -A APT=(
  [etcd]=etcd-server   # the etcd storage backend and its tests
  [etcdctl]=etcd-client # used by tests to look inside etcd
)

missing=()
for cmd in "${!APT[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${APT[$cmd]}")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node packages: reinstall only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (better-sqlite3 compiles from source when no prebuilt binary can be fetched)" >&2
  npm ci --no-audit --no-fund
fi

npm run --silent build
