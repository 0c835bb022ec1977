#!/usr/bin/env bash
# Benchmark `git rollback run --strategy revert` against `git revert` of the same commits, on
# synthetic ~2,000-file repositories with 20 and 200 commits to revert (bench/revert-gen.sh).
#
#   bench/run-revert.sh [--runs 7] [--markdown] [--sizes 20,200] [--json-out FILE]
#
# Expects target/release/git-rollback (runs `cargo build --release` once if it is missing; warns
# if it is older than a file in src/). Repositories are generated once and cached under
# bench/work/revert-<N>-<hash of the generator>/. Every timed run gets a fresh `cp -a` copy (made
# outside the timing). Exit status 1 if the trees differ (FAIL) or a timed command failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
release_binary
exec python3 "$here/revert-bench.py" --bin "$bin" "$@"
