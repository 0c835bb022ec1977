#!/usr/bin/env python3
"""Times `git rollback check` against the git commands a script would run for the same facts.

Run through bench/run-check.sh, which builds the binary if needed. See bench/README.md
("check on a large history").
"""

import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True   # importing bench.py must leave no __pycache__ behind
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (ENV, HERE, arg_parser, cached_repo, finish, fmt, log, machine,
                   parse_args, run_captured,  # noqa: E402
                   run_once)

GENERATOR = [HERE / "gen-history.sh", HERE / "gen_history.py", HERE / "lib.sh"]
COMMIT_LIMIT = 1000   # src/cli/rollback.rs: commits read in full per range


def git_sequence(a, b):
    """The git commands that gather what `check --from a --to b` gathers (a = live, b = target)."""
    return [
        ("log range", ["git", "log", "--format=%H %P %an %s", f"{b}..{a}"]),
        ("log --first-parent", ["git", "log", "--first-parent", "--format=%H", f"{b}..{a}"]),
        ("diff --name-status -M", ["git", "diff", "--name-status", "-M", b, a]),
        ("diff config/ migrations/", ["git", "diff", a, b, "--", "config/", "migrations/"]),
        ("log --name-only later", ["git", "log", "--name-only", "--format=%H %s%n%b",
                                   f"{a}..main"]),
        ("merge-tree (revert)", ["git", "merge-tree", "--write-tree", f"--merge-base={a}",
                                 "main", b]),
        ("status --porcelain", ["git", "status", "--porcelain"]),
    ]


GIT_NAMES = [n for n, _ in git_sequence("A", "B")]


def git_extra(a, b):
    """Timed alongside, not summed: step 5 capped like check (it reads at most COMMIT_LIMIT
    later commits in full)."""
    return [("log --name-only later -n 1000",
             ["git", "log", f"-n{COMMIT_LIMIT}", "--name-only", "--format=%H %s%n%b",
              f"{a}..main"])]


EXTRA_NAMES = [n for n, _ in git_extra("A", "B")]


def ours_cmd(ours, a, b):
    return [ours, "check", "--env", "production", "--from", a, "--to", b, "--strategy",
            "revert", "--json"]


def ensure_history(releases, log):
    d, _ = cached_repo("history", releases, GENERATOR,
                       [str(HERE / "gen-history.sh"), "{dir}", str(releases)],
                       f"a {releases}-release history", log)
    return d


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, env=ENV, capture_output=True, text=True,
                          check=True).stdout


def shape(d):
    repo = d / "repo"
    exp = json.loads((d / "expected.json").read_text())
    pack = sum(p.stat().st_size for p in (repo / ".git" / "objects" / "pack").glob("*.pack"))
    gen = d / "gen-seconds"
    return {
        "commits": int(git(repo, "rev-list", "--count", "main")),
        "first_parent": int(git(repo, "rev-list", "--count", "--first-parent", "main")),
        "merges": int(git(repo, "rev-list", "--count", "--merges", "main")),
        "release_tags": len(git(repo, "for-each-ref", "--format=x", "refs/tags/v*").split()),
        "record_tags": len(git(repo, "for-each-ref", "--format=x", "refs/tags/deploy").split()),
        "files": len(git(repo, "ls-tree", "-r", "--name-only", "main").splitlines()),
        "migration_files": len(git(repo, "ls-tree", "-r", "--name-only", "main",
                                   "migrations/").splitlines()),
        "authors": len(set(git(repo, "log", "--format=%ae", "main").split())),
        "years": round((exp["newest_release_time"] - exp["first_release_time"])
                       / (365.25 * 86400), 1),
        "pack_mib": round(pack / (1 << 20), 1),
        "gen_seconds": float(gen.read_text()) if gen.exists() else None,
        "gen_log": (d / "gen.log").read_text() if (d / "gen.log").exists() else "",
    }


def pair_facts(repo, p):
    a, b = p["from"], p["to"]
    mt = subprocess.run(["git", "merge-tree", "--write-tree", f"--merge-base={a}", "main", b],
                        cwd=repo, env=ENV, capture_output=True, text=True)
    in_range = set(git(repo, "rev-list", f"{b}..{a}").split())
    # Range commits that a commit of the range or a later one on main reverted (git's message).
    reverted = set()
    for line in git(repo, "log", "--format=%B", f"{b}..main").splitlines():
        line = line.strip()
        if line.startswith("This reverts commit "):
            oid = line[len("This reverts commit "):].rstrip(".").split(",")[0].split()[0]
            if oid in in_range:
                reverted.add(oid)
    # Later commits on main whose paths (against their first parent) meet the files that differ
    # between the releases: what commits.built-upon counts.
    touched = set()
    for line in git(repo, "diff", "--name-status", "-M", b, a).splitlines():
        touched.update(line.split("\t")[1:])
    built_upon, paths = 0, None
    for line in git(repo, "log", "--format=@%H", "--name-only", "--diff-merges=first-parent",
                   f"{a}..main").splitlines() + ["@"]:
        if line.startswith("@"):
            built_upon += bool(paths and paths & touched)
            paths = set()
        elif line:
            paths.add(line)
    return {
        "reverted": sorted(reverted),
        "built_upon": built_upon,
        "commits": int(git(repo, "rev-list", "--count", f"{b}..{a}")),
        "first_parent": int(git(repo, "rev-list", "--count", "--first-parent", f"{b}..{a}")),
        "merges": int(git(repo, "rev-list", "--count", "--merges", f"{b}..{a}")),
        "changed_files": len(git(repo, "diff", "--name-only", b, a).splitlines()),
        "watched": git(repo, "diff", "--name-only", b, a, "--", "config/",
                       "migrations/").split(),
        "later": int(git(repo, "rev-list", "--count", f"{a}..main")),
        "merge_tree_clean": mt.returncode == 0,
        "merge_tree": mt.stdout.split("\n", 1)[0].strip(),
    }


def check(repo, ours, pairs, log):
    """Loose correctness: one captured run of ours and of every git command per pair."""
    problems = []

    def fail(msg):
        problems.append(msg)
        log(f"FAIL {msg}")

    for p in pairs:
        a, b, f = p["from"], p["to"], p["facts"]
        cmd = f"(cd {repo} && git-rollback {' '.join(ours_cmd('', a, b)[1:])})"
        rc, out, err = run_captured(ours_cmd(ours, a, b), repo)
        if rc not in (0, 1):
            fail(f"{cmd} exited {rc}: {err.decode(errors='replace').strip()[:2000]}")
            continue
        bad = [l for l in err.decode(errors="replace").splitlines()
               if any(w in l.lower() for w in ("error", "warning", "panick"))]
        if bad:
            fail(f"{cmd} printed on stderr: {' | '.join(bad)[:2000]}")
        try:
            doc = json.loads(out)
        except ValueError as e:
            fail(f"{cmd}: not JSON ({e})")
            continue
        if doc.get("total_commits") != f["commits"]:
            fail(f"{cmd}: total_commits {doc.get('total_commits')}, "
                 f"git rev-list --count {b}..{a} says {f['commits']}")
        if len(doc.get("commits", [])) != min(f["commits"], COMMIT_LIMIT):
            fail(f"{cmd}: {len(doc.get('commits', []))} commits listed, expected "
                 f"{min(f['commits'], COMMIT_LIMIT)}")
        if sum(c["merge"] for c in doc.get("commits", [])) != f["merges"]:
            fail(f"{cmd}: {sum(c['merge'] for c in doc['commits'])} merges listed, "
                 f"git says {f['merges']}")
        got_cfg = sorted(c["path"] for c in doc.get("config", []))
        want_cfg = sorted(x for x in f["watched"] if x.startswith("config/"))
        if got_cfg != want_cfg:
            fail(f"{cmd}: config paths {got_cfg}, git diff --name-only says {want_cfg}")
        got_mig = {m["path"] for m in doc.get("migrations", [])}
        want_mig = {x for x in f["watched"] if x.startswith("migrations/")}
        # An up/down pair is reported once, by its up script.
        unexplained = {x for x in want_mig
                       if x not in got_mig and x.replace(".down.sql", ".up.sql") not in got_mig}
        if unexplained or not got_mig <= want_mig:
            fail(f"{cmd}: migrations {sorted(got_mig)}, git diff --name-only says "
                 f"{sorted(want_mig)}")
        if p.get("migration") and not got_mig:
            fail(f"{cmd}: no migration reported; the generator added one in this range")
        if p.get("config") and not got_cfg:
            fail(f"{cmd}: no config change reported; the generator made one in this range")
        rev = doc.get("revert") or {}
        reverted = next((i for i in doc.get("items", []) if i["id"] == "commits.reverted"), {})
        got_rev = sorted(d.split()[0] for d in reverted.get("details", []))
        want_rev = sorted(x[:7] for x in f["reverted"])
        if got_rev != want_rev:
            fail(f"{cmd}: commits.reverted names {got_rev or 'none'} "
                 f"({reverted.get('summary')!r}); git log {b}..main has 'This reverts commit' "
                 f"for {want_rev or 'none'} of the range ({f['later']} later commits on main)")
        built = next((i for i in doc.get("items", []) if i["id"] == "commits.built-upon"), {})
        got_built = int(built["summary"].split()[0]) if built.get("status") == "warn" else 0
        if got_built != f["built_upon"]:
            log(f"note [{p['label']}] commits.built-upon says {built.get('summary')!r}; by git "
                f"log --name-only {a}..main, {f['built_upon']} of the {f['later']} later "
                f"commits touch the files that differ (check reads at most {COMMIT_LIMIT})")
            p["built_upon_note"] = (got_built, f["built_upon"])
        p["ours"] = {
            "rc": rc,
            "blocking": doc.get("blocking"),
            "revert_clean": rev.get("clean"),
            "revert_commits": len(rev.get("commits", [])),
            "revert_conflict_at": (rev.get("conflict") or {}).get("commit"),
            "revert_tree": rev.get("tree"),
            "already_reverted": reverted.get("status") == "warn",
            "not_pass": [f"{i['id']}={i['status']}" for i in doc.get("items", [])
                         if i["status"] != "pass"],
        }
        if rev.get("clean"):
            n_rev = len(rev["commits"])
            want = f["first_parent"] - (1 if p["ours"]["already_reverted"] else 0)
            if n_rev != want:
                fail(f"{cmd}: revert preview reverts {n_rev} commits, first-parent chain has "
                     f"{f['first_parent']}")
            if not f["merge_tree_clean"]:
                log(f"note [{p['label']}] ours: revert clean, git merge-tree: conflict")
            elif rev.get("tree") != f["merge_tree"]:
                log(f"note [{p['label']}] revert tree {rev.get('tree')} differs from "
                    f"git merge-tree's {f['merge_tree']} (sequential reverts vs one merge)")
            else:
                log(f"ok   [{p['label']}] revert preview tree = git merge-tree tree")
        if p["ours"]["revert_conflict_at"]:
            i = rev["commits"].index(p["ours"]["revert_conflict_at"]) + 1
            p["ours"]["revert_stopped_after"] = i
        log(f"ok   [{p['label']}] {a} -> {b}: {doc['total_commits']} commits, "
            f"config {got_cfg}, migrations {sorted(got_mig)}, revert "
            f"{'clean' if rev.get('clean') else 'conflict'}; exit {rc}")
        for name, gcmd in git_sequence(a, b):
            grc, gout, gerr = run_captured(gcmd, repo)
            ok = grc == 0 or (name.startswith("merge-tree") and grc == 1)
            if not ok:
                fail(f"{' '.join(gcmd)} exited {grc}: {gerr.decode(errors='replace')[:500]}")
            p.setdefault("git_output_bytes", {})[name] = len(gout)
    return problems


def measure(repo, ours, pairs, runs, log):
    errors = []
    for p in pairs:
        p["samples"] = {"ours": [], "sum": [], "sum_capped": [],
                        **{n: [] for n in GIT_NAMES + EXTRA_NAMES}}
    for rep in range(runs + 1):          # rep 0 is the warm-up
        for p in pairs:
            a, b = p["from"], p["to"]
            dt, rc = run_once(ours_cmd(ours, a, b), repo)
            if rc not in (0, 1):
                errors.append(f"check --from {a} --to {b} -> {rc}")
            total = 0.0
            times = {}
            for name, gcmd in git_sequence(a, b):
                gdt, grc = run_once(gcmd, repo)
                if grc != 0 and not (name.startswith("merge-tree") and grc == 1):
                    errors.append(f"{' '.join(gcmd)} -> {grc}")
                times[name] = gdt
                total += gdt
            for name, gcmd in git_extra(a, b):
                gdt, grc = run_once(gcmd, repo)
                if grc != 0:
                    errors.append(f"{' '.join(gcmd)} -> {grc}")
                times[name] = gdt
            if rep > 0:
                p["samples"]["ours"].append(dt)
                p["samples"]["sum"].append(total)
                p["samples"]["sum_capped"].append(total - times["log --name-only later"]
                                                  + times["log --name-only later -n 1000"])
                for n, v in times.items():
                    p["samples"][n].append(v)
        log(f"  run {rep}/{runs} done" + (" (warm-up)" if rep == 0 else ""))
    for p in pairs:
        s = p["samples"]
        p["median"] = {k: statistics.median(v) for k, v in s.items()}
        p["min"] = {k: min(v) for k, v in s.items()}
        p["max"] = {k: max(v) for k, v in s.items()}
        p["ratio"] = p["median"]["ours"] / p["median"]["sum"]
        p["ratio_capped"] = p["median"]["ours"] / p["median"]["sum_capped"]
    return sorted(set(errors))


def describe_revert(p):
    o = p.get("ours", {})
    if o.get("revert_clean"):
        return f"clean, {o['revert_commits']} reverts"
    if o.get("revert_conflict_at"):
        return f"conflict at revert {o.get('revert_stopped_after')} of {o['revert_commits']}"
    return "none"


def pair_label(p):
    return f"{p['label']}: {p['from']} → {p['to']}"


def print_report(m, sh, pairs, runs, md):
    f = sh
    gen = f"{f['gen_seconds']:.0f} s" if f["gen_seconds"] is not None else "cached"
    if md:
        print(f"- Machine: {m['nproc']} cores, {m['cpu']}, Linux {m['kernel']}, {m['git']}")
        print(f"- Date: {m['date']} (load average at the end: {m['load']})")
        print(f"- git-rollback: {m['tool']}")
        print(f"- {runs} timed runs after 1 warm-up; per repetition and pair: `check`, then the "
              f"7 git commands one after another (separate processes, summed); wall time per "
              f"process, output to `/dev/null`, run from inside the repository")
        print(f"- Synthetic history (bench/gen-history.sh, generation {gen}): {f['commits']} "
              f"commits on `main` ({f['first_parent']} first-parent, {f['merges']} merges), "
              f"{f['release_tags']} release tags over {f['years']} years, {f['record_tags']} "
              f"deploy records, {f['files']} files at the tip ({f['migration_files']} "
              f"migration files), {f['authors']} authors, one {f['pack_mib']} MiB pack")
        print()
        print("| pair | commits (first-parent, merges) | changed files | later commits on main "
              "| revert preview (ours) | `check` (ms) | git sequence (ms) | ours/git "
              "| check min-max | git min-max |")
        print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|")
        for p in pairs:
            x = p["facts"]
            print(f"| {pair_label(p)} | {x['commits']} ({x['first_parent']}, {x['merges']}) "
                  f"| {x['changed_files']} | {x['later']} | {describe_revert(p)} "
                  f"| {fmt(p['median']['ours'])} | {fmt(p['median']['sum'])} "
                  f"| **{p['ratio']:.2f}** | {fmt(p['min']['ours'])}-{fmt(p['max']['ours'])} "
                  f"| {fmt(p['min']['sum'])}-{fmt(p['max']['sum'])} |")
        print()
        print("Each git command's median (ms):")
        print()
        print("| git command | " + " | ".join(p["label"] for p in pairs) + " |")
        print("|---|" + "---:|" * len(pairs))
        for (name, gcmd) in git_sequence("vA", "vB"):
            shown = " ".join(a if " " not in a else f"'{a}'" for a in gcmd[1:])
            print(f"| `git {shown}` | "
                  + " | ".join(fmt(p["median"][name]) for p in pairs) + " |")
        print("| **sum** | " + " | ".join(f"**{fmt(p['median']['sum'])}**" for p in pairs) + " |")
        print("| `git-rollback check … --json` | "
              + " | ".join(fmt(p["median"]["ours"]) for p in pairs) + " |")
        print("| ours/git | " + " | ".join(f"{p['ratio']:.2f}" for p in pairs) + " |")
        for (name, gcmd) in git_extra("vA", "vB"):
            shown = " ".join(a if " " not in a else f"'{a}'" for a in gcmd[1:])
            print(f"| not summed: `git {shown}` | "
                  + " | ".join(fmt(p["median"][name]) for p in pairs) + " |")
        print("| sum with step 5 capped at 1000 commits | "
              + " | ".join(fmt(p["median"]["sum_capped"]) for p in pairs) + " |")
        print("| ours/git (capped) | " + " | ".join(f"{p['ratio_capped']:.2f}" for p in pairs)
              + " |")
        return
    print(f"machine: {m['nproc']} cores, {m['cpu']}, Linux {m['kernel']}; {m['git']}")
    print(f"date:    {m['date']}; load avg at end {m['load']}")
    print(f"tool:    {m['tool']}")
    print(f"runs:    {runs} timed after 1 warm-up; check, then the 7 git commands (summed)")
    print(f"history: {f['commits']} commits ({f['first_parent']} first-parent, {f['merges']} "
          f"merges), {f['release_tags']} releases, {f['record_tags']} deploy records, "
          f"{f['files']} files, {f['authors']} authors, pack {f['pack_mib']} MiB, "
          f"generation {gen}")
    print()
    w = 28
    hdr = f"{'':<{w}}" + "".join(f"{p['label']:>18}" for p in pairs)
    print(hdr)
    print(f"{'pair':<{w}}" + "".join(f"{p['from'] + '->' + p['to']:>18}" for p in pairs))
    print(f"{'commits (fp, merges)':<{w}}" + "".join(
        f"{str(p['facts']['commits']) + ' (' + str(p['facts']['first_parent']) + ', ' + str(p['facts']['merges']) + ')':>18}"
        for p in pairs))
    print(f"{'later commits on main':<{w}}" + "".join(f"{p['facts']['later']:>18}" for p in pairs))
    print(f"{'revert preview':<{w}}" + "".join(f"{describe_revert(p):>18}"[-18:] for p in pairs))
    print("-" * len(hdr))
    for name in GIT_NAMES + ["sum", "ours"]:
        label = {"sum": "git sequence (sum)", "ours": "git-rollback check"}.get(name, name)
        print(f"{label:<{w}}" + "".join(f"{fmt(p['median'][name]):>18}" for p in pairs))
    print(f"{'ours/git':<{w}}" + "".join(f"{p['ratio']:>18.3f}" for p in pairs))
    print(f"{'(not summed) log -n 1000':<{w}}"
          + "".join(f"{fmt(p['median']['log --name-only later -n 1000']):>18}" for p in pairs))
    print(f"{'sum, step 5 with -n 1000':<{w}}"
          + "".join(f"{fmt(p['median']['sum_capped']):>18}" for p in pairs))
    print(f"{'ours/git (capped)':<{w}}" + "".join(f"{p['ratio_capped']:>18.3f}" for p in pairs))


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--releases", type=int, default=300)
    a, ours = parse_args(ap)
    d = ensure_history(a.releases, log)
    repo = d / "repo"
    exp = json.loads((d / "expected.json").read_text())
    pairs = [dict(p) for p in exp["pairs"]]
    for p in pairs:
        p["facts"] = pair_facts(repo, p)
    failures = check(repo, ours, pairs, log)
    errors = measure(repo, ours, pairs, a.runs, log)
    sh = shape(d)
    m = machine(ours)
    print_report(m, sh, pairs, a.runs, a.markdown)
    return finish(failures, errors, a.json_out,
                  {"machine": m, "history": sh, "pairs": pairs, "failures": failures,
                   "errors": errors})


if __name__ == "__main__":
    sys.exit(main())
