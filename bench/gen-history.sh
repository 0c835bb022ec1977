#!/usr/bin/env bash
# Deterministically generates a synthetic project history shaped like a real clone, for the
# `git rollback check` benchmark (bench/run-check.sh).
#
#   bench/gen-history.sh DIR [RELEASES]      # RELEASES defaults to 300 (~20,000 commits)
#
# DIR/repo           a non-bare repository, packed like a fresh clone (one pack, packed refs,
#                    no commit-graph), `main` checked out with a clean work tree, an `origin`
#                    remote-tracking branch equal to `main` (no network is ever used):
#                    ~67 commits per release on `main` (every 20th step a --no-ff merge of a
#                    3-commit branch), RELEASES annotated tags v1.x.y, ~3,000 files (src/**,
#                    tests/**, docs/**, config/*.toml, migrations/NNNN_*.up.sql/.down.sql),
#                    5 unreleased commits (one a revert), production deploy records with the
#                    newest release live.
# DIR/expected.json  the shape (commits, merges, files, ...) and the release pairs to time.
# DIR/gen.log        how long each phase took.
#
# The history is written by gen_history.py into one `git fast-import` stream (it asks for
# commit ids with `get-mark` for the revert messages; ~30% of the release cycles start with a
# revert of a commit of the previous release). Everything is hermetic: no user/system git
# config, fixed dates.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 || ( $# -eq 2 && ! $2 =~ ^[0-9]+$ ) ]]; then
    echo "usage: $0 DIR [RELEASES]" >&2
    exit 2
fi
dir=$1
releases=${2:-300}
if [[ $releases -lt 10 ]]; then
    echo "$0: RELEASES must be at least 10" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)

. "$here/lib.sh"
gen_begin "$dir"

t=$(now)
python3 "$here/gen_history.py" "$repo" "$dir" "$releases"
git -C "$repo" update-ref -d refs/heads/feature
rm -f "$dir/marks"
phase "history (fast-import)" "$t"

gen_like_a_clone
phase "total" "$t_all"

{
    echo "commits $(git -C "$repo" rev-list --count main)"
    echo "merges $(git -C "$repo" rev-list --count --merges main)"
    echo "first-parent $(git -C "$repo" rev-list --count --first-parent main)"
    echo "release-tags $(git -C "$repo" for-each-ref refs/tags/v* | wc -l)"
    echo "record-tags $(git -C "$repo" for-each-ref refs/tags/deploy | wc -l)"
    echo "files $(git -C "$repo" ls-tree -r --name-only main | wc -l)"
    echo "authors $(git -C "$repo" log --format=%ae main | sort -u | wc -l)"
    echo "packs $(find "$repo/.git/objects/pack" -name '*.pack' | wc -l)"
    echo "loose-objects $(find "$repo/.git/objects" -path '*/objects/??/*' -type f | wc -l)"
    echo "objects-bytes $(du -sb "$repo/.git/objects" | cut -f1)"
} | tee -a "$log"
