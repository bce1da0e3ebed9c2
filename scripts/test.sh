#!/usr/bin/env bash
# Installs what is needed, then runs the whole test suite: build, lint, format check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm test
