# Shared by the bench scripts (sourced, not run).
#
# release_binary          sets $bin to target/release/git-rollback, building it if missing and
#                         warning if it is older than a file in src/.
# gen_begin DIR           for the generators: hermetic git (no user/system config, fixed
#                         identities and dates), refuses an existing DIR, creates it, sets
#                         $dir (absolute), $repo=$dir/repo, $log=$dir/gen.log and $t_all, and
#                         initialises $repo (branch main, no autocrlf, no auto gc).
# gen_like_a_clone        origin/main, origin/HEAD and tracking as a clone has them; one pack,
#                         packed refs; main checked out.
# now, phase NAME START   phase timings, appended to $log.

bench_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

release_binary() {
    bin=$bench_root/target/release/git-rollback
    if [[ ! -x $bin ]]; then
        echo "building $bin (cargo build --release) ..." >&2
        (cd "$bench_root" && cargo build --release)
    elif [[ -n $(find "$bench_root/src" -type f -newer "$bin" -print -quit) ]]; then
        echo "warning: $bin is older than files in src/; run cargo build --release" >&2
    fi
}

now() { python3 -c 'import time; print(f"{time.perf_counter():.3f}")'; }
phase() { # name start
    python3 -c "import time,sys; print(f'{sys.argv[1]:<22} {time.perf_counter()-float(sys.argv[2]):8.2f} s')" "$1" "$2" | tee -a "$log"
}

gen_begin() {
    export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
    export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL="bench@example.com"
    export GIT_COMMITTER_NAME="Bench" GIT_COMMITTER_EMAIL="bench@example.com"
    export GIT_AUTHOR_DATE="2020-01-01T00:00:00Z" GIT_COMMITTER_DATE="2020-01-01T00:00:00Z"
    export TZ=UTC LC_ALL=C
    unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
    dir=$1
    if [[ -e $dir ]]; then
        echo "$0: $dir already exists" >&2
        exit 2
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    repo=$dir/repo
    log=$dir/gen.log
    t_all=$(now)
    git init -q -b main "$repo"
    git -C "$repo" config core.autocrlf false
    git -C "$repo" config gc.auto 0
}

gen_like_a_clone() {
    git -C "$repo" config remote.origin.url https://example.invalid/service.git
    git -C "$repo" config remote.origin.fetch '+refs/heads/*:refs/remotes/origin/*'
    git -C "$repo" config branch.main.remote origin
    git -C "$repo" config branch.main.merge refs/heads/main
    git -C "$repo" update-ref refs/remotes/origin/main refs/heads/main
    git -C "$repo" symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main

    local t
    t=$(now)
    git -C "$repo" repack -adq
    git -C "$repo" pack-refs --all
    phase "repack+pack-refs" "$t"

    t=$(now)
    git -C "$repo" reset -q --hard main
    phase "checkout" "$t"
}
