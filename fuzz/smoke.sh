#!/usr/bin/env bash
# The CI fuzz smoke run: installs cargo-afl (and AFL++) if missing, builds
# every target, and fuzzes all of them from the committed seeds in at most
# two minutes of wall time, two at a time. Fails on any crash or hang.
# Long runs: fuzz/run.sh (see fuzz/README.md).
set -euo pipefail
exec "$(dirname "$0")/run.sh" --install --budget "${FUZZ_BUDGET:-120}" --jobs "${FUZZ_JOBS:-2}" "$@"
