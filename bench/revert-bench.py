#!/usr/bin/env python3
"""Times `git-rollback run --strategy revert` against `git revert` of the same commits.

Run through bench/run-revert.sh, which builds the binary if needed. See bench/README-revert.md.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True   # importing bench.py must leave no __pycache__ behind
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (HERE, WORK, arg_parser, cached_repo, finish, fmt, hermetic_env,  # noqa: E402
                   log, machine, parse_args, run_once, sizes_of)

GENERATOR = [HERE / "revert-gen.sh", HERE / "revert-gen.py", HERE / "lib.sh"]
TIMEOUT = 600  # seconds per process, for the checks only (never while timing)

FROM, TO, ENV_NAME, BRANCH = "v1.1.0", "v1.0.0", "production", "rollback/v1.1.0"

HOME = Path(tempfile.mkdtemp(prefix="revert-bench-home-"))
ENV = hermetic_env(HOME=str(HOME),
                   GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
                   GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com",
                   GIT_AUTHOR_DATE="2021-01-01T00:00:00Z",
                   GIT_COMMITTER_DATE="2021-01-01T00:00:00Z")


def ensure_repo(n, log):
    """The cached repository for n range commits (generated if missing)."""
    d, _ = cached_repo("revert", n, GENERATOR, [str(HERE / "revert-gen.sh"), "{dir}", str(n)],
                       f"{n} range commits", log)
    return d


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], env=ENV, capture_output=True,
                          text=True, check=True, timeout=TIMEOUT).stdout.strip()


class Copies:
    """Fresh copies of a cached repository, made outside the timed region."""

    def __init__(self):
        WORK.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=".revert-copies-", dir=WORK))
        self.i = 0

    def fresh(self, src):
        self.i += 1
        dst = self.dir / f"c{self.i}"
        subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
        # cp gives every file a new inode and ctime, so the index's stat data no longer matches
        # and the first git command would re-hash all ~2,000 files. A real clone has a fresh
        # index: refresh it here, outside the timing, for both sides alike.
        subprocess.run(["git", "-C", str(dst), "update-index", "-q", "--refresh"], env=ENV,
                       check=True)
        os.sync()  # the copy's dirty pages are not written back during the timed command
        return dst

    def drop(self, d):
        shutil.rmtree(d, ignore_errors=True)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def ours_cmd(ours):
    return [ours, "run", "--strategy", "revert", "--env", ENV_NAME, "--from", FROM, "--to", TO,
            "--reason", "bench", "--yes"]


def git_cmd(commits):
    return ["git", "revert", "--no-edit", *commits]


def chain(repo, base, tip):
    """(subject, tree) of the commits base..tip, oldest first."""
    out = git(repo, "log", "--reverse", "--format=%s%x00%T", f"{base}..{tip}")
    return [tuple(l.split("\0")) for l in out.splitlines()]


def check(n, d, ours, copies, log):
    """One captured run of each side; the trees must be equal. Returns (problems, notes, tree)."""
    exp = json.loads((d / "expected.json").read_text())
    commits = exp["revert_commits_newest_first"]
    problems, notes = [], []

    def fail(msg):
        problems.append(f"[{n}] {msg}")
        log(f"FAIL [{n}] {msg}")

    a = copies.fresh(d / "repo")
    main_before = git(a, "rev-parse", "main")
    p = subprocess.run(ours_cmd(ours) + ["--json"], cwd=a, env=ENV, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=TIMEOUT)
    ours_tree = None
    if p.returncode != 0:
        fail(f"git-rollback exited {p.returncode}: "
             f"{(p.stdout + p.stderr).decode(errors='replace').strip()[:3000]}")
    else:
        doc = json.loads(p.stdout)
        created = doc.get("created", {}).get("commits", [])
        if len(created) != n:
            fail(f"git-rollback created {len(created)} commits, expected {n}")
        ours_tree = git(a, "rev-parse", f"{BRANCH}^{{tree}}")
        if git(a, "rev-parse", "main") != main_before:
            fail("git-rollback moved main")
        if git(a, "status", "--porcelain"):
            fail("git-rollback changed the work tree or index")
        if git(a, "rev-parse", f"{BRANCH}~{n}") != main_before:
            fail(f"{BRANCH}~{n} is not the tip of main")
        stderr = p.stderr.decode(errors="replace")
        if any(w in stderr.lower() for w in ("error", "panick")):
            fail(f"git-rollback printed on stderr: {stderr.strip()[:2000]}")
    b = copies.fresh(d / "repo")
    p = subprocess.run(git_cmd(commits), cwd=b, env=ENV, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=TIMEOUT)
    git_tree = None
    if p.returncode != 0:
        fail(f"git revert exited {p.returncode}: "
             f"{(p.stdout + p.stderr).decode(errors='replace').strip()[-3000:]}")
    else:
        git_tree = git(b, "rev-parse", "HEAD^{tree}")
        if git(b, "rev-list", "--count", f"{main_before}..HEAD") != str(n):
            fail(f"git revert did not write {n} commits")
        if git(b, "status", "--porcelain"):
            fail("git revert left the work tree dirty")
    if ours_tree and git_tree:
        if ours_tree != git_tree:
            fail(f"tree of {BRANCH} ({ours_tree}) != tree of git's HEAD after revert "
                 f"({git_tree})")
        else:
            log(f"ok   [{n}] tree of {BRANCH} == tree of git's HEAD after `git revert` "
                f"({ours_tree[:12]})")
        # Independent of git revert: the result differs from v1.0.0 exactly by the files of the
        # 3 commits after v1.1.0.
        changed = sorted(git(b, "diff", "--name-only", TO, "HEAD").splitlines())
        if changed != sorted(exp["tip_files"]):
            fail(f"git's result differs from {TO} in {changed}, expected {sorted(exp['tip_files'])}")
        # Same order, same intermediate trees (a note, not a failure).
        co, cg = chain(a, main_before, BRANCH), chain(b, main_before, "HEAD")
        same_trees = [t for _, t in co] == [t for _, t in cg]
        same_subjects = [s for s, _ in co] == [s for s, _ in cg]
        notes.append(f"[{n}] intermediate trees {'equal' if same_trees else 'DIFFER'} along "
                     f"both chains; subjects {'equal' if same_subjects else 'differ'} "
                     f"(ours: {co[0][0]!r}; git: {cg[0][0]!r})")
    copies.drop(a)
    copies.drop(b)
    return problems, notes, ours_tree


def measure(sizes, dirs, ours, runs, trees, copies, log):
    samples = {n: ([], []) for n in sizes}
    errors = []
    cmds = {n: (ours_cmd(ours),
                git_cmd(json.loads((dirs[n] / "expected.json").read_text())
                        ["revert_commits_newest_first"])) for n in sizes}
    for rep in range(runs + 1):  # rep 0 is the warm-up
        for n in sizes:
            # Alternate which side goes first, so neither always follows the other's writeback.
            order = (0, 1) if rep % 2 == 0 else (1, 0)
            for side in order:
                c = copies.fresh(dirs[n] / "repo")
                dt, rc = run_once(cmds[n][side], c, ENV)
                name = "git-rollback" if side == 0 else "git revert"
                if rc != 0:
                    errors.append(f"[{n}] {name} exited {rc} (run {rep})")
                else:
                    ref = BRANCH if side == 0 else "HEAD"
                    tree = git(c, "rev-parse", f"{ref}^{{tree}}")
                    if trees.get(n) and tree != trees[n]:
                        errors.append(f"[{n}] {name} run {rep}: tree {tree} != {trees[n]}")
                copies.drop(c)
                if rep > 0:
                    samples[n][side].append(dt)
        log(f"  run {rep}/{runs} done" + (" (warm-up)" if rep == 0 else ""))
    rows = []
    for n in sizes:
        o, g = samples[n]
        mo, mg = statistics.median(o), statistics.median(g)
        rows.append({"n": n, "ours_median": mo, "git_median": mg, "speedup": mg / mo,
                     "ours_min": min(o), "ours_max": max(o), "git_min": min(g),
                     "git_max": max(g), "ours": o, "git": g})
    return rows, errors


def shape(d):
    exp = json.loads((d / "expected.json").read_text())
    gen = d / "gen-seconds"
    exp["gen_seconds"] = float(gen.read_text()) if gen.exists() else None
    return exp


def report(m, shapes, rows, runs, markdown):
    if markdown:
        print(f"- Machine: {m['nproc']} cores, {m['cpu']}, Linux {m['kernel']}, {m['git']}")
        print(f"- Date: {m['date']} (load average at the end: {m['load']})")
        print(f"- git-rollback: {m['tool']}")
        print(f"- {runs} timed runs after 1 warm-up per side, interleaved (the first side "
              f"alternates); each run on a fresh `cp -a` copy (not timed); wall time per process")
        print()
        print("| range commits | commits on main | files | work tree | objects | range files touched (added/deleted/modified) |")
        print("|---:|---:|---:|---:|---:|---|")
        for n, s in shapes.items():
            c = s["range_changes"]
            print(f"| {n} | {s['commits_on_main']} | {s['files_on_main']} "
                  f"| {s['tree_bytes_at_tip'] / 2**20:.1f} MiB | {s['objects_bytes'] / 2**20:.1f} MiB "
                  f"| {s['range_files_touched']} ({c['added']}/{c['deleted']}/{c['modified']}) |")
        print()
        print("| range commits | git-rollback run (ms) | git revert (ms) | git/ours "
              "| ours min-max | git min-max |")
        print("|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r['n']} | {fmt(r['ours_median'])} | {fmt(r['git_median'])} "
                  f"| {r['speedup']:.1f}x | {fmt(r['ours_min'])}-{fmt(r['ours_max'])} "
                  f"| {fmt(r['git_min'])}-{fmt(r['git_max'])} |")
        return
    print(f"machine: {m['nproc']} cores, {m['cpu']}, Linux {m['kernel']}; {m['git']}")
    print(f"date:    {m['date']}; load avg at end {m['load']}")
    print(f"tool:    {m['tool']}")
    print(f"runs:    {runs} timed after 1 warm-up, interleaved; fresh copy per run (not timed)")
    print()
    for n, s in shapes.items():
        c = s["range_changes"]
        print(f"N={n}: {s['commits_on_main']} commits on main, {s['files_on_main']} files "
              f"({s['tree_bytes_at_tip'] / 2**20:.1f} MiB), range touches "
              f"{s['range_files_touched']} files (+{c['added']} -{c['deleted']} ~{c['modified']})")
    print()
    hdr = (f"{'N':>5}  {'ours ms':>8} {'git ms':>8} {'git/ours':>8}  {'ours min-max':>15}  "
           f"{'git min-max':>15}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['n']:>5}  {fmt(r['ours_median']):>8} {fmt(r['git_median']):>8} "
              f"{r['speedup']:>7.1f}x  {fmt(r['ours_min']) + '-' + fmt(r['ours_max']):>15}  "
              f"{fmt(r['git_min']) + '-' + fmt(r['git_max']):>15}")


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--sizes", default="20,200", help="range commits, comma-separated")
    a, ours = parse_args(ap)
    sizes = sizes_of(a.sizes)
    copies = Copies()
    try:
        dirs = {n: ensure_repo(n, log) for n in sizes}
        failures, notes, trees = [], [], {}
        for n in sizes:
            p, no, t = check(n, dirs[n], ours, copies, log)
            failures += p
            notes += no
            trees[n] = t
        if failures:
            for f in failures:
                print(f"FAIL {f}")
            return 1
        rows, errors = measure(sizes, dirs, ours, a.runs, trees, copies, log)
    finally:
        copies.close()
        shutil.rmtree(HOME, ignore_errors=True)
    m = machine(ours)
    report(m, {n: shape(dirs[n]) for n in sizes}, rows, a.runs, a.markdown)
    print()
    for no in notes:
        print(f"note {no}")
    print("correctness: ok (tree of rollback/v1.1.0 == tree of git's HEAD after git revert)")
    return finish([], errors, a.json_out,
                  {"machine": m, "shapes": {n: shape(dirs[n]) for n in sizes}, "rows": rows,
                   "notes": notes, "errors": errors})


if __name__ == "__main__":
    sys.exit(main())
