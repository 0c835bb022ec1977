#!/usr/bin/env python3
"""Real-history benchmark for issue 16 (not part of CI). Driven by bench/run-real-history.sh.

For each corpus clone (made by ../shared/tools/setup-real-corpus.sh under bench/.corpus/real/):
list the release tags (`vX.Y.Z` or `X.Y.Z`, no pre-releases, no component tags such as
`gix-v0.70.0`), take adjacent pairs by version (live = newer, target = the one just older) whose
target is an ancestor of the live release, keep the newest N, and for each pair, in a throwaway
`git clone --shared --no-checkout` with `main` at the live release, run
`git-rollback run --strategy revert --from <live> --to <target>` and judge the result:

  lands    exit 0 and the rollback branch's tree is the target's tree (and the referee
           `git merge-tree --write-tree --merge-base=<live> main <target>` agrees)
  WRONG    exit 0 but the tree differs (files counted by `git diff --stat`)
  refused  exit 1 (the first line of the reason is shown)
  ERROR    any other exit code

`--with-git-revert` also replays the outcome's `reverts[]` (newest first, `-m <mainline>` for
merges) with `git revert --no-edit` in a real work tree and compares the final tree.
`--timing` times the tool against the equivalent git commands on git/git.
Python 3 standard library only. Nothing here is hard-coded about results.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

GIT = os.environ.get("GIT", "git")
RELEASE = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
ENV = dict(os.environ, GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
           GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
           GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1", LC_ALL="C")


def git(repo, *args, check=True, **kw):
    r = subprocess.run([GIT, "-C", repo, *args], capture_output=True, text=True, env=ENV, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.strip()}")
    return r


def out(repo, *args):
    return git(repo, *args).stdout.strip()


def releases(repo):
    """Release tags sorted by version, oldest first: [(version tuple, tag)]."""
    seen = {}
    for t in out(repo, "tag", "--list").splitlines():
        m = RELEASE.match(t)
        if m:
            v = tuple(int(x) for x in m.groups())
            # `v1.2.3` and `1.2.3` both present: keep the `v` one (deterministic)
            if v not in seen or t.startswith("v"):
                seen[v] = t
    return sorted(seen.items())


def is_ancestor(repo, a, b):
    return git(repo, "merge-base", "--is-ancestor", f"{a}^{{commit}}", f"{b}^{{commit}}",
               check=False).returncode == 0


def pick_pairs(repo, n):
    rel = releases(repo)
    pairs = []
    for i in range(len(rel) - 1, 0, -1):
        live, target = rel[i][1], rel[i - 1][1]
        if is_ancestor(repo, target, live):
            pairs.append((live, target))
        if len(pairs) >= n:
            break
    return list(reversed(pairs)), rel


def config_file(path):
    # The only key the bench needs: the production branch is `main` (the throwaway clone's
    # default branch is whatever the corpus had, e.g. `master`). The default release pattern
    # already accepts `vX.Y.Z` and `X.Y.Z`.
    with open(path, "w") as f:
        f.write('production-branch = "main"\n')
    return path


def make_clone(corpus, tmp, live):
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run([GIT, "clone", "-q", "--shared", "--no-checkout", corpus, tmp], check=True,
                   env=ENV, capture_output=True)
    git(tmp, "update-ref", "refs/heads/main", out(tmp, "rev-parse", f"{live}^{{commit}}"))
    git(tmp, "config", "user.name", "Bench")
    git(tmp, "config", "user.email", "bench@example.invalid")
    git(tmp, "config", "gc.auto", "0")
    sc = os.path.join(corpus, ".git", "info", "sparse-checkout")
    if os.path.exists(sc):  # paths whose blobs the snapshot lacks
        os.makedirs(os.path.join(tmp, ".git", "info"), exist_ok=True)
        shutil.copy(sc, os.path.join(tmp, ".git", "info", "sparse-checkout"))
        git(tmp, "config", "core.sparseCheckout", "true")
        git(tmp, "config", "core.sparseCheckoutCone", "false")


def first_line_of_error(stderr):
    try:
        e = json.loads(stderr.strip().splitlines()[-1])["error"]
        return e["message"].splitlines()[0], e
    except Exception:
        s = stderr.strip().splitlines()
        return (s[0] if s else "(no message)"), None


def diff_summary(repo, a, b, limit=4):
    stat = out(repo, "diff", "--stat", a, b).splitlines()
    files = out(repo, "diff", "--name-only", a, b).splitlines()
    return (stat[-1].strip() if stat else "no diff"), files[:limit], len(files)


def replay_git_revert(tmp, outcome):
    """git revert of the outcome's reverts, newest first, in a work tree. Returns (tree, note)."""
    git(tmp, "checkout", "-q", "-f", "-B", "bench-git-revert", "main")
    for r in outcome.get("reverts") or []:
        args = ["revert", "--no-edit"]
        if r.get("merge"):
            args += ["-m", str(r.get("mainline", 1))]
        res = git(tmp, *args, r["commit"], check=False)
        if res.returncode != 0:
            msg = (res.stderr.strip() or res.stdout.strip()).splitlines()
            conflicted = out(tmp, "diff", "--name-only", "--diff-filter=U").splitlines()
            git(tmp, "revert", "--abort", check=False)
            what = f"conflicts in {', '.join(conflicted[:3])}" if conflicted else (msg[0] if msg else "?")
            if "invalid object" in what or "unable to read" in what:
                # the snapshot lacks a blob that git's index needs: replay with git's own merge
                # (ort) on trees instead, which `git revert` runs too
                tree, note = replay_merge_tree(tmp, outcome)
                return tree, f"git revert needs a blob the snapshot lacks; merge-tree replay: {note}"
            return None, f"git revert stops at {r['commit'][:10]}: {what}"
    return out(tmp, "rev-parse", "HEAD^{tree}"), None


def replay_merge_tree(tmp, outcome):
    """What `git revert -m <mainline>` computes for each revert, newest first, with
    `git merge-tree --write-tree --merge-base=<c> <current> <c^mainline>` (no index, no blobs
    of untouched files needed)."""
    cur = out(tmp, "rev-parse", "main^{commit}")
    for r in outcome.get("reverts") or []:
        c = r["commit"]
        parent = f"{c}^{r.get('mainline', 1)}"
        mt = git(tmp, "merge-tree", "--write-tree", "--name-only", f"--merge-base={c}", cur, parent,
                 check=False)
        if mt.returncode != 0:
            lines = mt.stdout.splitlines()
            return None, f"merge conflicts at {c[:10]} ({', '.join(lines[1:4])})"
        tree = mt.stdout.split("\n")[0].strip()
        cur = out(tmp, "commit-tree", tree, "-p", cur, "-m", f"Revert {c}")
    return out(tmp, "rev-parse", f"{cur}^{{tree}}"), "done"


def run_pair(args, name, corpus, live, target, workdir):
    tmp = os.path.join(workdir, f"{name}-pair")
    make_clone(corpus, tmp, live)
    cfg = config_file(os.path.join(workdir, "rollback.toml"))
    n_fp = int(out(tmp, "rev-list", "--count", "--first-parent", f"{target}..{live}"))
    cmd = [args.bin, "-C", tmp, "--config", cfg, "run", "--strategy", "revert", "--from", live,
           "--to", target, "--reason", "bench", "--yes", "--json"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    ms = (time.perf_counter() - t0) * 1000
    row = dict(repo=name, pair=f"{live} → {target}", commits=n_fp, ms=ms, rc=p.returncode,
               kind=None, result=None, detail=[])
    target_tree = out(tmp, "rev-parse", f"{target}^{{tree}}")
    mt = git(tmp, "merge-tree", "--write-tree", f"--merge-base={live}^{{commit}}", "main",
             f"{target}^{{commit}}", check=False)
    referee = mt.stdout.split("\n")[0].strip() if mt.returncode in (0, 1) else None
    if referee != target_tree:
        row["detail"].append(f"referee merge-tree exit {mt.returncode}, tree "
                             f"{(referee or '?')[:10]} ≠ target tree {target_tree[:10]}")
    if p.returncode == 0:
        o = json.loads(p.stdout)
        branch = o["created"]["branches"][0]["name"]
        tree = out(tmp, "rev-parse", f"{branch}^{{tree}}")
        reverts = o.get("reverts") or []
        m2 = sum(1 for r in reverts if r.get("merge") and r.get("mainline", 1) != 1)
        row["detail"].append(f"{len(reverts)} reverted ({sum(1 for r in reverts if r.get('merge'))}"
                             f" merges, {m2} against parent ≠ 1), {len(o.get('skipped') or [])}"
                             f" skipped, {len(o.get('empty') or [])} empty")
        if tree == target_tree and tree == referee:
            row["kind"], row["result"] = "lands", "lands"
        else:
            stat, files, nfiles = diff_summary(tmp, f"{target}^{{commit}}", branch)
            row["kind"] = "wrong"
            row["result"] = f"WRONG ({nfiles} files differ: {stat})"
            row["detail"].append("first differing: " + ", ".join(files))
            if referee and tree == referee:
                row["detail"].append("(tree equals the referee's but not the target's)")
        if args.with_git_revert:
            t1 = time.perf_counter()
            gtree, note = replay_git_revert(tmp, o)
            gms = (time.perf_counter() - t1) * 1000
            if note:
                row["detail"].append(note)
            if gtree is None:
                row["git_differs"] = True
            elif gtree == tree:
                row["detail"].append(f"{'replay' if note else 'git revert'} agrees ({gms:.0f} ms)")
            else:
                _, files, nfiles = diff_summary(tmp, gtree, tree)
                row["detail"].append(f"{'replay' if note else 'git revert'} DIFFERS in {nfiles} files: {', '.join(files)}")
                row["git_differs"] = True
    elif p.returncode == 1:
        reason, _ = first_line_of_error(p.stderr)
        row["kind"], row["result"] = "refused", f"refused: {reason}"
    else:
        reason, _ = first_line_of_error(p.stderr)
        row["kind"], row["result"] = "error", f"ERROR exit {p.returncode}: {reason}"
    shutil.rmtree(tmp, ignore_errors=True)
    return row


def md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def pairs_main(args):
    workdir = args.workdir
    os.makedirs(workdir, exist_ok=True)
    rows, summary = [], []
    print(f"Binary: `{args.bin}` ({subprocess.run([args.bin, '--version'], capture_output=True, text=True).stdout.strip()}), "
          f"{subprocess.run([GIT, '--version'], capture_output=True, text=True).stdout.strip()}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, newest {args.pairs} ancestor pairs per repo.\n")
    for corpus in args.repos:
        corpus = os.path.abspath(corpus)
        name = os.path.basename(corpus.rstrip("/"))
        pairs, rel = pick_pairs(corpus, args.pairs)
        print(f"- {name}: {len(rel)} release tags by the pattern, {len(pairs)} pairs picked"
              f" ({rel[0][1] if rel else '-'} … {rel[-1][1] if rel else '-'})", file=sys.stderr)
        for live, target in pairs:
            r = run_pair(args, name, corpus, live, target, workdir)
            print(f"  {r['pair']}: {r['result']} ({r['ms']:.0f} ms)", file=sys.stderr)
            rows.append(r)
    print("| repo | pair | commits (first-parent) | result | ms | detail |")
    print("|---|---|---:|---|---:|---|")
    for r in rows:
        print(f"| {r['repo']} | {md(r['pair'])} | {r['commits']} | {md(r['result'])} | {r['ms']:.0f} |"
              f" {md('; '.join(r['detail']))} |")
    print()

    def line(label, rs):
        c = {k: sum(1 for r in rs if r["kind"] == k) for k in ("lands", "refused", "wrong", "error")}
        gd = sum(1 for r in rs if r.get("git_differs"))
        extra = f", git revert differs {gd}" if args.with_git_revert else ""
        return (f"- **{label}**: {len(rs)} pairs, {c['lands']} land, {c['refused']} refused, "
                f"{c['wrong']} wrong, {c['error']} errors{extra}")
    for name in dict.fromkeys(r["repo"] for r in rows):
        print(line(name, [r for r in rows if r["repo"] == name]))
    print(line("overall", rows))


# ---------------------------------------------------------------- timing (git/git)

def timed(cmd, cwd=None):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=cwd)
    return (time.perf_counter() - t0) * 1000, p.returncode


def timing_main(args):
    corpus = os.path.abspath(args.timing_repo)
    workdir = args.workdir
    os.makedirs(workdir, exist_ok=True)
    rel = releases(corpus)
    live = rel[-1][1]
    # the adjacent target and one ten releases back, both ancestors of the live release
    older = [t for _, t in reversed(rel[:-1]) if is_ancestor(corpus, t, live)]
    target, far = older[0], (older[9] if len(older) > 9 else older[-1])
    tmp = os.path.join(workdir, "timing")
    make_clone(corpus, tmp, live)
    live_c = out(tmp, "rev-parse", f"{live}^{{commit}}")
    # a work tree for git revert, on its own branch so that `main` stays at the live release
    git(tmp, "checkout", "-q", "-f", "-B", "bench-git", live_c)
    # A commit-graph of its own, as `git gc` or `git maintenance` leave one (a --shared clone's
    # alternate has one, which git reads and gix does not).
    git(tmp, "commit-graph", "write", "--reachable", "--no-progress")
    git(tmp, "update-index", "-q", "--refresh")  # a fresh index, as after any git command
    cfg = config_file(os.path.join(workdir, "rollback-timing.toml"))
    k = args.runs
    commits = out(tmp, "rev-list", "--first-parent", "-20", "main").splitlines()
    merges = sum(1 for c in commits if len(out(tmp, "rev-list", "--parents", "-1", c).split()) > 2)
    base = [args.bin, "-C", tmp, "--config", cfg]
    ours_cmd = base + ["run", "--strategy", "revert", "--from", live, "--to", target,
                       "--reason", "bench", "--yes", "--json"] + sum((["--commit", c] for c in commits), [])
    git_cmd = [GIT, "-C", tmp, "revert", "--no-edit", "-m", "1", *commits]

    def reset_ours():
        r = subprocess.run(base + ["undo", "--yes", "--json"], capture_output=True, env=ENV)
        left = out(tmp, "for-each-ref", "--format=%(refname)", "refs/heads/rollback/",
                   "refs/tags/rollback/", "refs/git-rollback/env/")
        for ref in left.splitlines():  # undo failed: clean up by hand
            git(tmp, "update-ref", "-d", ref)
        return r.returncode

    def reset_git():
        git(tmp, "revert", "--abort", check=False)
        git(tmp, "reset", "-q", "--hard", live_c)
        git(tmp, "clean", "-qfd")
        assert out(tmp, "rev-parse", "main") == live_c

    def compare(label, ours, theirs, before_ours=None, before_git=None):
        o, g, orc, grc = [], [], set(), set()
        for _ in range(k):
            for who in ("ours", "git"):
                if who == "ours":
                    if before_ours: before_ours()
                    ms, rc = 0.0, 0
                    for c in ours:
                        m, rc1 = timed(c); ms += m; rc = max(rc, rc1)
                    o.append(ms); orc.add(rc)
                else:
                    if before_git: before_git()
                    ms, rc = 0.0, 0
                    for c in theirs:
                        m, rc1 = c() if callable(c) else timed(c); ms += m; rc = max(rc, rc1)
                    g.append(ms); grc.add(rc)
        mo, mg = statistics.median(o), statistics.median(g)
        print(f"| {label} | {mo:.1f} | {mg:.1f} | {mo / mg:.2f} | {sorted(orc)}, {sorted(grc)} |")

    # check that both revert sides do the same thing once, before timing
    reset_git()
    p = subprocess.run(ours_cmd, capture_output=True, text=True, env=ENV)
    note = f"run exit {p.returncode}"
    if p.returncode == 0:
        otree = out(tmp, "rev-parse", json.loads(p.stdout)["created"]["branches"][0]["name"] + "^{tree}")
        g = git(tmp, "revert", "--no-edit", "-m", "1", *commits, check=False)
        gtree = out(tmp, "rev-parse", "HEAD^{tree}") if g.returncode == 0 else None
        note += f"; trees {'equal' if otree == gtree else 'DIFFER'} (git revert exit {g.returncode})"
    else:
        note += ": " + first_line_of_error(p.stderr)[0]
    reset_ours(); reset_git()
    print(f"\n## Timing on {os.path.basename(corpus)} (median of {k} runs, alternating, ms)\n")
    print(f"live `{live}`, adjacent target `{target}`, ten releases back `{far}` (the tenth older release that is an ancestor); "
          f"revert of the newest 20 first-parent commits of `{live}` ({merges} merges)\n")
    print(f"Sanity of the timed revert (once, before timing): {note}.\n")
    print("| what | git-rollback | git | ratio (ours/git) | exit codes (ours, git) |")
    print("|---|---:|---:|---:|---|")
    compare("run --strategy revert, 20 commits vs git revert -m 1 of them", [ours_cmd], [git_cmd],
            before_ours=reset_ours, before_git=reset_git)
    reset_ours(); reset_git()  # the rest is timed with main at the live release again
    describe = [GIT, "-C", tmp, "describe", "--tags", "--abbrev=0", "main"]
    compare("status vs git describe --tags --abbrev=0", [base + ["status"]], [describe])
    compare("releases vs git describe --tags --abbrev=0", [base + ["releases"]], [describe])
    # The yardstick for an adjacent check: git log + git diff --name-status + the
    # `git merge-tree` chain of the same reverts (what git needs to answer "does the revert
    # apply, and where does it land").
    doc = json.loads(subprocess.run(base + ["check", "--json", "--from", live, "--to", target],
                                    capture_output=True, text=True, env=ENV).stdout)
    rev = doc.get("revert") or {}
    chain = {"reverts": [{"commit": c, "mainline": m} for c, m in zip(rev.get("commits", []), rev.get("mainlines", []))]}

    def merge_tree_chain():
        t0 = time.perf_counter()
        tree, note = replay_merge_tree(tmp, chain)
        return (time.perf_counter() - t0) * 1000, 0 if tree else 1

    compare(f"check {live} → {target} (adjacent) vs git log + git diff --name-status + the merge-tree chain "
            f"of its {len(chain['reverts'])} reverts",
            [base + ["check", "--from", live, "--to", target]],
            [[GIT, "-C", tmp, "log", f"{target}..{live}"],
             [GIT, "-C", tmp, "diff", "--name-status", target, live], merge_tree_chain])
    for lbl, tgt in (("adjacent", target), ("ten releases apart", far)):
        compare(f"check {live} → {tgt} ({lbl}) vs git log + git diff --name-status",
                [base + ["check", "--from", live, "--to", tgt]],
                [[GIT, "-C", tmp, "log", f"{tgt}..{live}"],
                 [GIT, "-C", tmp, "diff", "--name-status", tgt, live]])
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--pairs", type=int, default=15)
    ap.add_argument("--with-git-revert", action="store_true")
    ap.add_argument("--timing", action="store_true")
    ap.add_argument("--timing-only", action="store_true")
    ap.add_argument("--timing-repo")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("repos", nargs="*")
    args = ap.parse_args()
    if not args.timing_only:
        pairs_main(args)
    if args.timing or args.timing_only:
        if not args.timing_repo:
            sys.exit("--timing needs the git/git clone (--timing-repo, or a corpus dir named git)")
        timing_main(args)


if __name__ == "__main__":
    main()
