#!/usr/bin/env bash
# Deterministically generates the repository for the revert benchmark (bench/run-revert.sh).
#
#   bench/revert-gen.sh DIR N
#
# DIR/repo           a non-bare repository packed like a fresh clone (one pack, packed refs),
#                    `main` checked out with a clean work tree, `origin/main` equal to `main`
#                    (no network is ever used): an initial import of ~2,000 files (src/**,
#                    tests/**, docs/**, config/*.toml), 300 commits, the annotated release
#                    v1.0.0, N commits touching 1-3 files each, the annotated release v1.1.0 on
#                    the last of them, then 3 commits on `main` touching files the N commits do
#                    not touch (so reverting v1.0.0..v1.1.0 onto the tip is clean). No deploy
#                    records (the benchmark names the releases with --from/--to).
# DIR/expected.json  the shape of the repository (bench/revert-gen.py) plus the range commits.
# DIR/gen.log        how long each phase took.
#
# Everything is hermetic: no user/system git config, fixed identities and dates.
set -euo pipefail

if [[ $# -ne 2 || ! $2 =~ ^[0-9]+$ || $2 -lt 1 ]]; then
    echo "usage: $0 DIR N   (N >= 1 commits between v1.0.0 and v1.1.0)" >&2
    exit 2
fi
dir=$1
n=$2
here=$(cd "$(dirname "$0")" && pwd)

. "$here/lib.sh"
gen_begin "$dir"
export HOME=$dir/home
mkdir -p "$HOME"

t=$(now)
python3 "$here/revert-gen.py" "$n" "$dir/shape.json" | git -C "$repo" fast-import --quiet
phase "history (fast-import)" "$t"

gen_like_a_clone

# The commits to revert, newest first (what `git revert` is given and what git-rollback must
# revert), and the shape.
python3 - "$dir/shape.json" "$dir/expected.json" \
    "$(git -C "$repo" rev-list --first-parent v1.0.0..v1.1.0 | tr '\n' ' ')" \
    "$(git -C "$repo" rev-list --count main)" \
    "$(git -C "$repo" ls-tree -r --name-only main | wc -l)" \
    "$(du -sb "$repo/.git/objects" | cut -f1)" <<'EOF'
import json, sys
shape = json.load(open(sys.argv[1]))
shape["revert_commits_newest_first"] = sys.argv[3].split()
shape["commits_on_main"] = int(sys.argv[4])
shape["files_on_main"] = int(sys.argv[5])
shape["objects_bytes"] = int(sys.argv[6])
assert len(shape["revert_commits_newest_first"]) == shape["range_commits"]
json.dump(shape, open(sys.argv[2], "w"), indent=2)
EOF
rm -f "$dir/shape.json"
phase "total" "$t_all"

{
    echo "commits $(git -C "$repo" rev-list --count main)"
    echo "range-commits $(git -C "$repo" rev-list --count --first-parent v1.0.0..v1.1.0)"
    echo "files $(git -C "$repo" ls-tree -r --name-only main | wc -l)"
    echo "work-tree-bytes $(cd "$repo" && git ls-files -z | xargs -0 cat | wc -c)"
    echo "packs $(find "$repo/.git/objects/pack" -name '*.pack' | wc -l)"
    echo "objects-bytes $(du -sb "$repo/.git/objects" | cut -f1)"
} | tee -a "$log"
