#!/usr/bin/env bash
# Start the test services, run pytest (arguments from PYTEST_ARGS), always stop the services,
# and exit with pytest's status. Used by `make test` and so by .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
trap 'scripts/services.sh stop' EXIT
# Assign first: a failing `services.sh start` must stop us (eval "$(...)" would hide it).
exports="$(scripts/services.sh start)"
eval "$exports"
set +e
# shellcheck disable=SC2086  # PYTEST_ARGS is a list of words on purpose
.venv/bin/pytest ${PYTEST_ARGS:-}
status=$?
set -e
exit $status
