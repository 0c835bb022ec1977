#!/usr/bin/env python3
"""Writes `git fast-import` streams for the synthetic benchmark repository.

Used by gen-repo.sh; deterministic (no clock, no randomness). Two phases, because the
ledger records carry commit ids in their trailers and fast-import only knows those after
the commits are written:

  gen_stream.py commits N            > stream   # commits on main + release tags
  gen_stream.py records N MARKS      > stream   # deploy/rollback records (needs mark -> id)
  gen_stream.py expected N MARKS     > json     # what `status` must answer

Release i (0 <= i < N) is commit mark :i+1, version v{i//1000}.{(i//50)%20}.{i%50}
(an `-rc.1` pre-release when i % 25 == 7). Semantic-version order equals i order.
"""

import hashlib
import json
import sys

BASE = 1_577_836_800          # 2020-01-01T00:00:00Z
STEP = 3600                   # one release per hour
UNRELEASED = 5                # commits on main after the last release

AUTHOR = "Alice Developer <alice@example.com>"
RELEASER = "Release Bot <release-bot@example.com>"
DEPLOYER = "Deploy Bot <deploy-bot@example.com>"
ONCALL = "Oncall Engineer <oncall@example.com>"
ROLLBACKS = 20


def version(i):
    v = f"v{i // 1000}.{(i // 50) % 20}.{i % 50}"
    return v + "-rc.1" if is_rc(i) else v


def is_rc(i):
    return i % 25 == 7


def release_time(i):
    return BASE + i * STEP


def compact(t):
    import time as _t
    return _t.strftime("%Y%m%dT%H%M%SZ", _t.gmtime(t))


def data(out, text):
    b = text.encode()
    out.append(b"data %d\n" % len(b))
    out.append(b)
    out.append(b"\n")


def sha(kind, i):
    return hashlib.sha256(f"{kind}-{i}".encode()).hexdigest()


def commits(n):
    out = []
    for i in range(n + UNRELEASED):
        t = release_time(i) - 600
        out.append(b"commit refs/heads/main\n")
        out.append(b"mark :%d\n" % (i + 1))
        out.append(f"author {AUTHOR} {t - 1800} +0000\n".encode())
        out.append(f"committer {AUTHOR} {t} +0000\n".encode())
        if i < n:
            subj = f"Prepare {version(i)}: change {i}"
        else:
            subj = f"Unreleased change {i}"
        data(out, f"{subj}\n\nTouches module {i % 16}.\n")
        out.append(b"M 644 inline VERSION\n")
        data(out, version(i) if i < n else f"{version(n - 1)}+dev.{i - n + 1}")
        out.append(f"M 644 inline src/module{i % 16}.txt\n".encode())
        data(out, f"module {i % 16} revision {i}")
        if i % 7 == 0:
            out.append(f"M 644 inline migrations/m{(i // 7) % 32:02d}.sql\n".encode())
            data(out, f"-- migration for change {i}\nALTER TABLE t ADD COLUMN c{i} int;")
        out.append(b"\n")
    for i in range(n):
        v = version(i)
        msg = [f"Release {v}", ""]
        msg.append(f"Build {i} of the service, cut from main at change {i}.")
        msg.append(f"Highlights: module {i % 16} updates; see CHANGELOG.")
        msg.append("")
        if i % 7 == 0:
            msg.append(f"Migration: migrations/m{(i // 7) % 32:02d}.sql")
        msg.append(f"Artifact: registry.example.com/app@sha256:{sha('artifact', i)}")
        msg.append(f"Build-Id: {100000 + i}")
        out.append(f"tag {v}\n".encode())
        out.append(b"from :%d\n" % (i + 1))
        out.append(f"tagger {RELEASER} {release_time(i)} +0000\n".encode())
        data(out, "\n".join(msg) + "\n")
    return b"".join(out)


def plan(n):
    """The records: (time, env, kind, release index, to index or None)."""
    staging = [i for i in range(n) if i % 5 == 0]
    prod = [i for i in range(n) if i % 10 == 0]
    step = max(1, len(prod) // ROLLBACKS)
    rolled = set()
    for k in range(ROLLBACKS):
        pos = len(prod) - 1 - k * step
        if pos >= 1:
            rolled.add(pos)
    recs = []
    for i in staging:
        recs.append((release_time(i) + 1200, "staging", "deploy", i, None))
    for pos, i in enumerate(prod):
        recs.append((release_time(i) + 2400, "production", "deploy", i, None))
        if pos in rolled:
            recs.append((release_time(i) + 3000, "production", "rollback", i, prod[pos - 1]))
    recs.sort()
    return recs


def read_marks(path):
    marks = {}
    with open(path) as f:
        for line in f:
            m, oid = line.split()
            marks[int(m[1:])] = oid
    return marks


def records(n, marks):
    out = []
    for t, env, kind, i, to in plan(n):
        ts = compact(t)
        if kind == "deploy":
            v = version(i)
            name = f"deploy/{env}/{ts}.1-{v}"
            msg = (f"Deploy {v} to {env}\n\n"
                   f"Deploy-Environment: {env}\n"
                   f"Deploy-Release: {v}\n"
                   f"Deploy-Commit: {marks[i + 1]}\n"
                   f"Git-Rollback-Format: 1\n")
            target, who = i + 1, DEPLOYER
        else:
            frm, tov = version(i), version(to)
            name = f"rollback/{env}/{ts}.1-{frm}"
            msg = (f"Roll back {env} from {frm} to {tov}\n\n"
                   f"Error rate rose after {frm} went live (synthetic incident {i}).\n\n"
                   f"Rollback-Environment: {env}\n"
                   f"Rollback-From: {frm}\n"
                   f"Rollback-To: {tov}\n"
                   f"Rollback-Strategy: revert\n"
                   f"Git-Rollback-Format: 1\n")
            target, who = to + 1, ONCALL
        out.append(f"tag {name}\n".encode())
        out.append(b"from :%d\n" % target)
        out.append(f"tagger {who} {t} +0000\n".encode())
        data(out, msg)
    return b"".join(out)


def expected(n, marks):
    recs = plan(n)
    result = {"releases": n, "records": len(recs), "unreleased_commits_after_last": UNRELEASED,
              "environments": {}}
    for env in ("staging", "production"):
        mine = [r for r in recs if r[1] == env]
        last = mine[-1]
        live = last[4] if last[2] == "rollback" else last[3]
        bad = sorted({r[3] for r in mine if r[2] == "rollback"}, reverse=True)
        prev = next((j for j in range(live - 1, -1, -1) if not is_rc(j) and j not in bad), None)
        result["environments"][env] = {
            "live": version(live),
            "live_commit": marks[live + 1],
            "evidence": f"{last[2]}",
            "previous_stable": version(prev) if prev is not None else None,
            "bad": [version(b) for b in bad],
            "unreleased_commits": (n - 1 - live) + UNRELEASED,
            "records": len(mine),
        }
    result["naive_describe"] = version(n - 1)
    return json.dumps(result, indent=2) + "\n"


def main():
    what, n = sys.argv[1], int(sys.argv[2])
    if what == "commits":
        sys.stdout.buffer.write(commits(n))
    elif what == "records":
        sys.stdout.buffer.write(records(n, read_marks(sys.argv[3])))
    elif what == "expected":
        sys.stdout.write(expected(n, read_marks(sys.argv[3])))
    else:
        sys.exit(f"unknown phase {what}")


if __name__ == "__main__":
    main()
