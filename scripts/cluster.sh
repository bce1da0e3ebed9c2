#!/usr/bin/env bash
# Installs what is needed, then runs a single-node k8ts cluster in the foreground (Ctrl-C stops it).
# Extra arguments go to `k8ts server`, e.g. --data-dir ./state or --storage etcd --etcd-endpoints URL.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ./bin/k8ts server "$@"
