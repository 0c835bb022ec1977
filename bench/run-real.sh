#!/usr/bin/env bash
# run-real.sh BINARY CORPUS_CLONE TAG... : for each adjacent pair of the release tags given
# (oldest first), in a throwaway `git clone --shared` of the corpus clone, puts `main` at the
# newer (live) release and runs `run --strategy revert --from <live> --to <older>`. With the
# tip at the live release the defined result is the older release's own tree: a pair either
# "lands" (the rollback branch's tree equals it), is refused (exit 1 and the reason), or is
# reported as WRONG or as an error. Prints one Markdown table row per pair: pair,
# first-parent commits in the range, result, wall time in ms. Not a test; not run in CI.
# Corpus clones come from ../shared/tools/setup-real-corpus.sh (see bench/README.md).
set -uo pipefail
bin=$1; src=$2; shift 2
tags=("$@")
for ((i=1;i<${#tags[@]};i++)); do
  t=${tags[i-1]}; l=${tags[i]}
  git -C $src merge-base --is-ancestor $t $l || { echo "| $l → $t | not an ancestor |"; continue; }
  d=$(mktemp -d); git clone -q --shared --no-checkout $src $d/r 2>/dev/null
  git -C $d/r update-ref refs/heads/main "$(git -C $d/r rev-parse "$l^{commit}")"; git -C $d/r symbolic-ref HEAD refs/heads/main
  n=$(git -C $d/r rev-list --count --first-parent $t..$l)
  s=$(date +%s%N)
  out=$($bin -C $d/r --json run --strategy revert --from $l --to $t --reason bench --yes 2>$d/err); rc=$?
  ms=$(( ($(date +%s%N)-s)/1000000 ))
  if [ $rc = 0 ]; then
    b=$(echo "$out" | python3 -c 'import json,sys;print(json.load(sys.stdin)["created"]["branches"][0]["name"])')
    if [ "$(git -C $d/r rev-parse $b^{tree})" = "$(git -C $d/r rev-parse $t^{tree})" ]; then r=lands; else r="WRONG $(git -C $d/r diff --shortstat $t $b)"; fi
  else r="exit $rc: $(python3 -c 'import json,sys;print(json.load(sys.stdin)["error"]["message"][:150])' < $d/err 2>/dev/null || head -c 150 $d/err)"; fi
  echo "| $l → $t | $n | $r | $ms |"
  rm -rf $d
done
