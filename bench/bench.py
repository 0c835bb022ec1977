#!/usr/bin/env python3
"""Times git-rollback against the git commands that answer the same question.

Run through bench/run.sh, which builds the binary if needed. See bench/README.md.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True   # importing gen_stream.py must leave no __pycache__ behind

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
GENERATOR = [HERE / "gen-repo.sh", HERE / "gen_stream.py", HERE / "lib.sh"]
TIMEOUT = 600  # seconds per process

FOR_EACH_REF = [
    "git", "for-each-ref", "--sort=-v:refname",
    "--format=%(refname:short) %(objectname) %(*objectname) %(taggerdate:iso-strict) "
    "%(taggername) %(contents)",
    "refs/tags",
]
DESCRIBE = ["git", "describe", "--tags", "--abbrev=0", "main"]
# Not an equivalent: a floor. Listing and sorting the tag refs without reading any tag object
# is the least any tool must do to find the newest releases and records.
REF_FLOOR = ["git", "for-each-ref", "--sort=-v:refname", "--format=%(refname) %(objectname)",
             "refs/tags"]
REF_FLOOR_TEXT = "floor: for-each-ref names+ids"
FER_TEXT = "for-each-ref (all tags)"
# The tags a script reads for one environment's timeline, when the record names are known.
ENV_RECORDS = ["git", "for-each-ref", "--sort=refname",
               "--format=%(refname:short) %(taggerdate:iso-strict) %(taggername) %(contents)",
               "refs/tags/deploy/production", "refs/tags/rollback/production",
               "refs/tags/restore/production"]
ENV_RECORDS_TEXT = "for-each-ref (production records)"
WINDOW_DAYS = 30
DESCRIBE_TEXT = "describe --tags --abbrev=0 main"


def hermetic_env(**extra):
    """The environment every bench process runs in: no user or system git config, no colour."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GIT_") and k not in ("CLICOLOR_FORCE", "CI")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null", NO_COLOR="1",
               LC_ALL="C", TZ="UTC", GIT_PAGER="cat", PAGER="cat", **extra)
    return env


ENV = hermetic_env()


def generator_hash(files):
    """A short hash of the generator scripts: a cached repository is reused only while they
    are unchanged."""
    h = hashlib.sha256()
    for p in files:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:12]


def cached_repo(prefix, n, generator, argv, what, log):
    """The cached repository WORK/<prefix>-<n>-<hash of generator>, made by running `argv`
    (with "{dir}" replaced by a scratch directory) if missing. Returns (dir, seconds or None)."""
    key = f"{prefix}-{n}-{generator_hash(generator)}"
    final = WORK / key
    if (final / "expected.json").is_file():
        return final, None
    WORK.mkdir(parents=True, exist_ok=True)
    tmp = WORK / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"generating {what} into {final.relative_to(ROOT)} ...")
    t0 = time.perf_counter()
    subprocess.run([a.replace("{dir}", str(tmp)) for a in argv], check=True, stdout=sys.stderr)
    took = time.perf_counter() - t0
    (tmp / "gen-seconds").write_text(f"{took:.2f}\n")
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    return final, took


def ensure_repo(n, log):
    """The cached repository for size n (generated if missing). Returns (dir, seconds or None)."""
    return cached_repo("repo", n, GENERATOR, [str(HERE / "gen-repo.sh"), str(n), "{dir}"],
                       f"{n} releases", log)


def history_window(n):
    """`--since` for the last WINDOW_DAYS days of the synthetic ledger (its newest record is the
    "now" of that history; the real clock lies in the middle of it for the big sizes)."""
    import gen_stream
    newest = max(t for t, *_ in gen_stream.plan(n))
    since = newest - WINDOW_DAYS * 86400
    when = datetime.datetime.fromtimestamp(since, datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ"), since


def history_expected(n, since):
    """Tags `history --env production --since` must list: the production records from `since`
    on and the releases they name that were tagged in the window."""
    import gen_stream
    recs = [r for r in gen_stream.plan(n) if r[1] == "production" and r[0] >= since]
    named = {i for _, _, _, i, to in recs for i in ([i] if to is None else [i, to])}
    releases = {gen_stream.version(i) for i in named if gen_stream.release_time(i) >= since}
    return len(recs) + len(releases)


def repo_facts(d):
    repo = d / "repo"
    tags = subprocess.run(["git", "-C", str(repo), "for-each-ref", "--format=x", "refs/tags"],
                          env=ENV, capture_output=True, check=True).stdout.count(b"\n")
    gen = d / "gen-seconds"
    return {
        "tags": tags,
        "packed_refs_bytes": (repo / ".git" / "packed-refs").stat().st_size,
        "objects_bytes": sum(p.stat().st_size for p in (repo / ".git" / "objects").rglob("*")
                             if p.is_file()),
        "gen_seconds": float(gen.read_text()) if gen.exists() else None,
    }


def run_once(cmd, cwd, env=ENV):
    # No `timeout=` here: with a timeout, Python waits by polling waitpid() with a backoff that
    # grows to 50 ms, which rounds every measurement up to the next poll. Without one it blocks
    # in waitpid() and wakes when the child exits. (A hang is caught by check(), which runs
    # every command once, with a timeout, before timing.)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = (time.perf_counter() - t0) * 1000.0
    return dt, p.returncode


def run_captured(cmd, cwd):
    """Runs once with output captured; returns (rc, stdout, stderr)."""
    p = subprocess.run(cmd, cwd=cwd, env=ENV, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=TIMEOUT)
    return p.returncode, p.stdout, p.stderr


def check(n, d, ours, log):
    """Loose correctness: one captured run of each command, compared with expected.json."""
    repo = d / "repo"
    exp = json.loads((d / "expected.json").read_text())
    problems = []

    def fail(msg):
        problems.append(msg)
        log(f"FAIL [{n}] {msg}")

    for args in (["releases"], ["releases", "--json", "--all"], ["status"], ["status", "--json"]):
        rc, out, err = run_captured([ours] + args, repo)
        cmd = f"(cd {repo} && {Path(ours).name} {' '.join(args)})"
        if rc != 0:
            fail(f"{cmd} exited {rc}: {err.decode(errors='replace').strip()[:2000]}")
            continue
        # Status lines ("… N older releases not shown") are fine; warnings and errors are not.
        bad_lines = [l for l in err.decode(errors="replace").splitlines()
                     if any(w in l.lower() for w in ("error", "warning", "panick", "hint:"))]
        if bad_lines:
            fail(f"{cmd} printed on stderr: {' | '.join(bad_lines)[:2000]}")
        if args == ["releases"]:
            # The generator puts production's live release 20th from the top, so the default
            # listing (newest 20) must show it flagged.
            live = exp["environments"]["production"]["live"]
            rows = [l for l in out.decode(errors="replace").splitlines()
                    if f" {live} " in f" {l} "]
            if not rows or "production" not in rows[0]:
                fail(f"{cmd}: no row for {live} flagged live in production: {rows}")
        if args == ["releases", "--json", "--all"]:
            doc = json.loads(out)
            got = len(doc.get("releases", []))
            if got != exp["releases"]:
                fail(f"{cmd}: {got} releases, expected {exp['releases']}")
            if doc.get("warnings"):
                fail(f"{cmd}: warnings {doc['warnings'][:5]}")
            prod = exp["environments"]["production"]
            live_rows = [r["tag"] for r in doc.get("releases", []) if "production" in r["live_in"]]
            if live_rows != [prod["live"]]:
                fail(f"{cmd}: live_in production on {live_rows}, expected [{prod['live']}]")
            bad_rows = sorted(r["tag"] for r in doc.get("releases", [])
                              if "production" in r["bad_in"])
            if bad_rows != sorted(prod["bad"]):
                fail(f"{cmd}: bad_in production on {len(bad_rows)} releases, "
                     f"expected {len(prod['bad'])}")
        if args == ["status", "--json"]:
            doc = json.loads(out)
            envs = {e["name"]: e for e in doc.get("environments", [])}
            if doc.get("warnings"):
                fail(f"{cmd}: warnings {doc['warnings'][:5]}")
            for name, want in exp["environments"].items():
                e = envs.get(name)
                if e is None:
                    fail(f"{cmd}: no environment {name}")
                    continue
                live = (e.get("live") or {}).get("tag")
                if live != want["live"]:
                    fail(f"{cmd}: {name} live is {live}, expected {want['live']}")
                else:
                    log(f"ok   [{n}] status --json: {name} live {live} "
                        f"(evidence {e['live']['evidence'].get('record_kind')})")
                prev = (e.get("previous_stable") or {}).get("tag")
                if prev != want["previous_stable"]:
                    fail(f"{cmd}: {name} previous_stable is {prev}, "
                         f"expected {want['previous_stable']}")
                if sorted(e.get("bad", [])) != sorted(want["bad"]):
                    fail(f"{cmd}: {name} has {len(e.get('bad', []))} bad releases, "
                         f"expected {len(want['bad'])}")
                if e.get("unreleased_commits") != want["unreleased_commits"]:
                    fail(f"{cmd}: {name} unreleased_commits {e.get('unreleased_commits')}, "
                         f"expected {want['unreleased_commits']}")
    since, since_s = history_window(n)
    args = ["history", "--env", "production", "--since", since, "--json"]
    rc, out, err = run_captured([ours] + args, repo)
    if rc != 0:
        fail(f"history {since} exited {rc}: {err.decode(errors='replace')[:500]}")
    else:
        got = len(json.loads(out)["events"])
        want = history_expected(n, since_s)
        if got != want:
            fail(f"history --env production --since {since}: {got} events, expected {want}")
        else:
            log(f"ok   [{n}] history --env production --since {since}: {got} events")
    for cmd in (FOR_EACH_REF, DESCRIBE, REF_FLOOR, ENV_RECORDS):
        rc, out, err = run_captured(cmd, repo)
        if rc != 0:
            fail(f"{' '.join(cmd)} exited {rc}: {err.decode(errors='replace')[:500]}")
    return problems


def measure(n, repo, ours, runs, log):
    since, _ = history_window(n)
    window = [ours, "history", "--env", "production", "--since", since]
    window_text = f"history --env production --since {WINDOW_DAYS}d"
    pairs = [
        ("releases", [ours, "releases"], FOR_EACH_REF, FER_TEXT),
        ("releases --json --all", [ours, "releases", "--json", "--all"], FOR_EACH_REF, FER_TEXT),
        ("status", [ours, "status"], FOR_EACH_REF, FER_TEXT),
        ("status", [ours, "status"], DESCRIBE, DESCRIBE_TEXT),
        ("status", [ours, "status"], REF_FLOOR, REF_FLOOR_TEXT),
        (window_text, window, FOR_EACH_REF, FER_TEXT),
        (window_text, window, ENV_RECORDS, ENV_RECORDS_TEXT),
        ("history --json (everything)", [ours, "history", "--json"], FOR_EACH_REF, FER_TEXT),
    ]
    samples = {i: ([], []) for i in range(len(pairs))}
    errors = []
    for rep in range(runs + 1):  # rep 0 is the warm-up
        for i, (_, o, g, _) in enumerate(pairs):
            for side, cmd in ((0, o), (1, g)):
                dt, rc = run_once(cmd, repo)
                if rc != 0:
                    errors.append(f"{' '.join(map(str, cmd))} -> {rc}")
                if rep > 0:
                    samples[i][side].append(dt)
        log(f"  [{n}] run {rep}/{runs} done" + (" (warm-up)" if rep == 0 else ""))
    rows = []
    for i, (label, _, _, gtext) in enumerate(pairs):
        o, g = samples[i]
        mo, mg = statistics.median(o), statistics.median(g)
        rows.append({
            "size": n, "command": label, "git": gtext,
            "ours_median": mo, "git_median": mg, "ratio": mo / mg,
            "ours_min": min(o), "ours_max": max(o), "git_min": min(g), "git_max": max(g),
        })
    return rows, sorted(set(errors))


def machine(ours):
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gitv = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src",
                            "Cargo.toml", "Cargo.lock"],
                           capture_output=True, text=True).stdout.strip()
    head += " (uncommitted changes in src/ or Cargo.*)" if dirty else ""
    built = datetime.datetime.fromtimestamp(Path(ours).stat().st_mtime, datetime.timezone.utc)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "git": gitv,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "head": head,
        "tool": f"{ours} built {built:%Y-%m-%d %H:%M UTC}; source HEAD at run time {head}",
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def fmt(x):
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def print_text(m, facts, rows, runs):
    print(f"machine: {m['nproc']} cores, {m['cpu']}, Linux {m['kernel']}; {m['git']}")
    print(f"date:    {m['date']}; load avg at end {m['load']}")
    print(f"tool:    {m['tool']}")
    print(f"runs:    {runs} timed after 1 warm-up, interleaved ours/git; wall time per process")
    print()
    print(f"{'size':>7} {'tags':>7} {'packed-refs':>12} {'generation':>11}")
    for n, f in facts.items():
        g = f"{f['gen_seconds']:.1f} s" if f["gen_seconds"] is not None else "cached"
        print(f"{n:>7} {f['tags']:>7} {f['packed_refs_bytes']:>12} {g:>11}")
    print()
    hdr = (f"{'size':>7}  {'git-rollback':<40} {'vs git':<34} {'ours ms':>8} {'git ms':>8} "
           f"{'ours/git':>8}  {'ours min-max':>15}  {'git min-max':>15}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['size']:>7}  {r['command']:<40} {r['git']:<34} {fmt(r['ours_median']):>8} "
              f"{fmt(r['git_median']):>8} {r['ratio']:>8.3f}  "
              f"{fmt(r['ours_min']) + '-' + fmt(r['ours_max']):>15}  "
              f"{fmt(r['git_min']) + '-' + fmt(r['git_max']):>15}")


def print_markdown(m, facts, rows, runs):
    print(f"- Machine: {m['nproc']} cores, {m['cpu']}, Linux {m['kernel']}, {m['git']}")
    print(f"- Date: {m['date']} (load average at the end: {m['load']})")
    print(f"- git-rollback: {m['tool']}")
    print(f"- {runs} timed runs after 1 warm-up per command, ours and git interleaved; "
          f"wall time per process (medians; min-max in the last columns)")
    print()
    print("| size | tags | packed-refs | generation |")
    print("|---:|---:|---:|---:|")
    for n, f in facts.items():
        g = f"{f['gen_seconds']:.1f} s" if f["gen_seconds"] is not None else "cached"
        print(f"| {n} | {f['tags']} | {f['packed_refs_bytes'] / 1024:.0f} KiB | {g} |")
    print()
    print("| size | git-rollback | vs git | ours (ms) | git (ms) | ours/git "
          "| ours min-max | git min-max |")
    print("|---:|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['size']} | `{r['command']}` | `{r['git']}` | {fmt(r['ours_median'])} "
              f"| {fmt(r['git_median'])} | {r['ratio']:.3f} "
              f"| {fmt(r['ours_min'])}-{fmt(r['ours_max'])} "
              f"| {fmt(r['git_min'])}-{fmt(r['git_max'])} |")


def log(msg):
    """Progress, on stderr (stdout carries the report)."""
    print(msg, file=sys.stderr, flush=True)


def arg_parser(description):
    """The options every benchmark script takes: --runs, --markdown, --bin, --json-out."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--bin", default=str(ROOT / "target" / "release" / "git-rollback"))
    ap.add_argument("--json-out", help="also write the raw numbers as JSON to this file")
    return ap


def parse_args(ap):
    """Parses and checks the common options; returns (args, the binary's absolute path)."""
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    return a, str(Path(a.bin).resolve())


def sizes_of(text):
    return [int(s) for s in text.split(",") if s.strip()]


def finish(failures, errors, json_out, doc):
    """Prints the FAIL and ERROR lines, writes `doc` to --json-out, returns the exit status."""
    for e in errors:
        print(f"ERROR (non-zero exit while timing): {e}")
    for f in failures:
        print(f"FAIL {f}")
    if json_out:
        Path(json_out).write_text(json.dumps(doc, indent=2) + "\n")
    return 1 if failures or errors else 0


def main():
    ap = arg_parser(__doc__)
    ap.add_argument("--sizes", default="1000,10000,100000")
    a, ours = parse_args(ap)
    sizes = sizes_of(a.sizes)
    facts, rows, failures, errors = {}, [], [], []
    for n in sizes:
        d, _ = ensure_repo(n, log)
        facts[n] = repo_facts(d)
        failures += check(n, d, ours, log)
        r, e = measure(n, d / "repo", ours, a.runs, log)
        rows += r
        errors += e
    m = machine(ours)
    (print_markdown if a.markdown else print_text)(m, facts, rows, a.runs)
    return finish(failures, errors, a.json_out,
                  {"machine": m, "repos": facts, "rows": rows, "failures": failures,
                   "errors": errors})


if __name__ == "__main__":
    sys.exit(main())
