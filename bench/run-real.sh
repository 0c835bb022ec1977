#!/usr/bin/env bash
# run-real.sh [--bin BINARY] [--pairs N] [--with-git-revert] [--timing] [--timing-only]
#                     [--runs K] [CORPUS_CLONE...]
#
# Issue 16 on real histories (not run in CI): for the newest N adjacent release pairs (target an
# ancestor of live) of each corpus clone, `run --strategy revert` with `main` at the live release
# must land on the target's tree or refuse with a reason; see bench/real_history.py for how each
# pair is judged. Prints Markdown on stdout (progress on stderr).
#
#   --bin BINARY       the git-rollback to test (default: target/release/git-rollback of this checkout)
#   --pairs N          pairs per repository (default 15)
#   --with-git-revert  also replay the outcome's reverts with `git revert` and compare (slow)
#   --timing           also time the tool against git on the git/git clone (bench/.corpus/real/git)
#   --timing-only      only the timing
#   --runs K           timing runs per measurement (default 5)
#   CORPUS_CLONE...    default: every directory under bench/.corpus/real/
#
# Corpus clones: `bash ../shared/tools/setup-real-corpus.sh <mirror git dir> <name>` run from the
# repository root (creates bench/.corpus/real/<name>; bench/.corpus is ignored by git).
# Throwaway clones go to bench/.corpus/work/ and are removed after each pair.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$here/../target/release/git-rollback"
py_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --pairs|--runs) py_args+=("$1" "$2"); shift 2 ;;
    --with-git-revert|--timing|--timing-only) py_args+=("$1"); shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    --*) echo "unknown option: $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ -x "$bin" ] || { echo "no binary at $bin (pass --bin)" >&2; exit 2; }
repos=("$@")
if [ ${#repos[@]} -eq 0 ]; then
  for d in "$here"/.corpus/real/*/; do [ -d "$d/.git" ] && repos+=("${d%/}"); done
fi
[ ${#repos[@]} -gt 0 ] || { echo "no corpus clones under $here/.corpus/real" >&2; exit 2; }
timing_repo="$here/.corpus/real/git"
for r in "${repos[@]}"; do [ "$(basename "$r")" = git ] && timing_repo=$r; done
exec env PYTHONDONTWRITEBYTECODE=1 python3 "$here/real_history.py" --bin "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" \
  --workdir "$here/.corpus/work" --timing-repo "$timing_repo" "${py_args[@]}" "${repos[@]}"
