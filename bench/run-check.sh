#!/usr/bin/env bash
# Benchmark `git rollback check` against the equivalent sequence of git commands on a synthetic
# ~20,000-commit history with ~300 releases (bench/gen-history.sh).
#
#   bench/run-check.sh [--runs 7] [--markdown] [--json-out FILE] [--releases 300]
#
# Expects target/release/git-rollback (runs `cargo build --release` once if it is missing; warns
# if it is older than a file in src/). The history is generated once and cached under
# bench/work/history-<releases>-<hash of the generator>/. Exit status 1 if a correctness check
# failed or a timed command exited with an unexpected status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
release_binary
exec python3 "$here/bench_check.py" --bin "$bin" "$@"
