#!/usr/bin/env bash
# Deterministically generates a synthetic release repository for the benchmark.
#
#   bench/gen-repo.sh N DIR
#
# DIR/repo           a non-bare repository: N annotated release tags (one commit per release on
#                    `main`, plus a few unreleased commits), deploy records for staging (~20% of
#                    releases) and production (~10%), 20 rollback records in production; refs
#                    packed (`git pack-refs --all`); rollback.toml (staging + production) in the
#                    work tree, untracked.
# DIR/expected.json  what `git rollback status` must say (live release per environment, ...).
# DIR/gen.log        how long each phase took.
#
# The stream is written by gen_stream.py and imported with `git fast-import` (two passes: the
# records carry commit ids). Everything is hermetic: no user/system git config, fixed dates.
set -euo pipefail

if [[ $# -ne 2 || ! $1 =~ ^[0-9]+$ || $1 -lt 100 ]]; then
    echo "usage: $0 N DIR   (N >= 100 release tags)" >&2
    exit 2
fi
n=$1
dir=$2
here=$(cd "$(dirname "$0")" && pwd)

. "$here/lib.sh"
gen_begin "$dir"
marks=$dir/marks

t=$(now)
python3 "$here/gen_stream.py" commits "$n" |
    git -C "$repo" fast-import --quiet --export-marks="$marks"
phase "commits+releases" "$t"

t=$(now)
python3 "$here/gen_stream.py" records "$n" "$marks" |
    git -C "$repo" fast-import --quiet --import-marks="$marks"
phase "records" "$t"

t=$(now)
git -C "$repo" pack-refs --all
phase "pack-refs" "$t"

t=$(now)
git -C "$repo" reset -q --hard main
cat >"$repo/rollback.toml" <<'EOF'
# Benchmark configuration: two environments, everything else default.
[environments.staging]
[environments.production]
EOF
python3 "$here/gen_stream.py" expected "$n" "$marks" >"$dir/expected.json"
phase "checkout+expected" "$t"
phase "total" "$t_all"

{
    echo "tags $(git -C "$repo" for-each-ref refs/tags | wc -l)"
    echo "releases $n"
    echo "packed-refs-bytes $(stat -c %s "$repo/.git/packed-refs")"
    echo "loose-refs $(find "$repo/.git/refs" -type f | wc -l)"
    echo "objects-bytes $(du -sb "$repo/.git/objects" | cut -f1)"
} | tee -a "$log"
