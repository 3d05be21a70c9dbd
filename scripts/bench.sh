#!/usr/bin/env bash
# Run every benchmark in bench/ against the test services, then stop them.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
trap 'scripts/services.sh stop' EXIT
exports="$(scripts/services.sh start)"
eval "$exports"
for b in bench/*.py; do
  echo "== $b"
  .venv/bin/python "$b"
done
