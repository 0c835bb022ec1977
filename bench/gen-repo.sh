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

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com"
export GIT_COMMITTER_NAME="Bench" GIT_COMMITTER_EMAIL="bench@example.com"
export GIT_AUTHOR_DATE="2020-01-01T00:00:00Z" GIT_COMMITTER_DATE="2020-01-01T00:00:00Z"
export TZ=UTC LC_ALL=C
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY

if [[ -e $dir ]]; then
    echo "$0: $dir already exists" >&2
    exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
repo=$dir/repo
log=$dir/gen.log
marks=$dir/marks

now() { python3 -c 'import time; print(f"{time.perf_counter():.3f}")'; }
phase() { # name start
    python3 -c "import time,sys; print(f'{sys.argv[1]:<22} {time.perf_counter()-float(sys.argv[2]):8.2f} s')" "$1" "$2" | tee -a "$log"
}

t_all=$(now)
git init -q -b main "$repo"
git -C "$repo" config core.autocrlf false
git -C "$repo" config gc.auto 0

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
