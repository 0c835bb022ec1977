#!/usr/bin/env python3
"""Writes a synthetic project history shaped like a real clone, for the `check` benchmark.

Used by gen-history.sh; deterministic (a fixed-seed splitmix64 generator, fixed dates, no
clock). Feeds one `git fast-import` stream and asks it for commit ids with `get-mark` where a
message needs one (`This reverts commit <id>.`):

  gen_history.py REPO OUT [RELEASES]

REPO   an empty repository (`git init`); receives the history, tags and records.
OUT    receives expected.json: the shape of the history, the reverts, the release pairs to time.

The history: an initial import, then RELEASES release cycles on `main` (~67 commits each):
  - commits touching 1-5 files in one module (most), 6-15 (some), 20-50 across modules
    (refactors, ~3%); new files, deletions and renames now and then; docs-only commits;
    a config/*.toml change now and then;
  - every 20th step on main a pull request merged with --no-ff: a 3-commit branch forked 5
    steps earlier (touching files main did not touch since, so every merge is clean);
  - a new migrations/NNNN_name.up.sql + .down.sql pair every 8-12 releases;
  - in ~30% of the cycles, early on, a revert (git's message) of a commit of the previous
    release, always in the cycle after the middle release;
  - each cycle ends with a "Release v1.x.y" commit (VERSION, CHANGELOG.md) and an annotated
    tag v1.x.y by the release bot.
Then 5 unreleased commits on `main` (the third reverts a commit of the newest release; none
touches another file of the newest release, so reverting it on main is clean) and production
deploy records deploy/production/<time>.1-<tag> for ~90% of the releases, always the newest
last, so production is live on the newest release.
"""

import json
import sys
import subprocess
import time as _time

M64 = (1 << 64) - 1
SEED = 20261122
RELEASES = 300
BASE = 1_609_747_200          # 2021-01-04T08:00:00Z
MERGE_EVERY = 20              # every 20th step on main merges a pull request
BRANCH_COMMITS = 3
FORK_BACK = 5                 # feature branches fork this many steps before their merge
UNRELEASED = 5

MODULES = ["api", "auth", "billing", "cache", "cli", "core", "db", "events", "http", "jobs",
           "mail", "metrics", "search", "storage", "sync", "web"]
SUBDIRS = ["handlers", "models", "services", "util", "internal", "types"]
DOC_SECTIONS = ["guide", "reference", "howto", "adr", "ops"]
CONFIG_FILES = ["default.toml", "production.toml", "staging.toml", "development.toml",
                "test.toml", "logging.toml", "features.toml", "database.toml"]
WORDS = ("account address batch buffer cache channel client config context cursor digest "
         "entry event filter frame handle header index item job key label ledger limit lock "
         "message metric node offset order owner page parser payload policy queue quota "
         "record region request response result retry route row schema scope session shard "
         "signal snapshot source state stream table task tenant token topic trace user value "
         "version window worker").split()
VERBS = ["fix", "add", "handle", "refactor", "simplify", "speed up", "document", "test",
         "rename", "remove", "support", "validate", "log", "cache", "retry", "split"]
FIRST = ["Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
         "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Uma", "Victor",
         "Wendy", "Xavier", "Yara", "Zoe", "Amir", "Bea", "Chen", "Dario", "Elif", "Farah",
         "Goran", "Hana", "Ines", "Jonas", "Kenji", "Lena", "Mateo", "Nora", "Oskar", "Priya",
         "Quinn"]
LAST = ["Smith", "Jones", "Garcia", "Mueller", "Rossi", "Tanaka", "Kowalski", "Silva",
        "Nguyen", "Okafor", "Larsen", "Novak", "Dubois", "Moreau", "Haddad", "Ivanova"]
ZONES = ["+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0900", "-0300"]
RELEASER = "Release Bot <release-bot@example.com>"
DEPLOYER = "Deploy Bot <deploy-bot@example.com>"
MAINTAINER = "Grace Mueller <grace.mueller@example.com>"


class Rng:
    """splitmix64: the same numbers on every Python version."""

    def __init__(self, seed):
        self.s = seed & M64

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & M64
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def between(self, lo, hi):  # inclusive
        return lo + self.below(hi - lo + 1)

    def chance(self, p):
        return self.next() < p * 18446744073709551616

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def skewed(self, n):
        """An index in [0, n), small ones much more likely (a few hot modules, busy authors)."""
        u = self.next() / 18446744073709551616
        return min(n - 1, int(n * u * u))


class PathSet:
    """Paths with O(1) add, remove and random choice."""

    def __init__(self):
        self.items, self.pos = [], {}

    def __len__(self):
        return len(self.items)

    def add(self, p):
        self.pos[p] = len(self.items)
        self.items.append(p)

    def remove(self, p):
        i = self.pos.pop(p)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.pos[last] = i

    def sample(self, rng, k, avoid=()):
        out = []
        for _ in range(k * 4):
            if len(out) >= k or not self.items:
                break
            p = self.items[rng.below(len(self.items))]
            if p not in out and p not in avoid:
                out.append(p)
        return out


def compact(t):
    return _time.strftime("%Y%m%dT%H%M%SZ", _time.gmtime(t))


class History:
    def __init__(self, releases):
        self.rng = Rng(SEED)
        self.n_releases = releases
        self.files = {}                      # path -> list of lines
        self.src = {m: PathSet() for m in MODULES}
        self.tests = {m: PathSet() for m in MODULES}
        self.docs = PathSet()
        self.names = set()
        self.migrations = []                 # migration numbers
        self.mark = 0
        self.t = BASE
        self.out = []
        self.out_bytes = 0
        self.sink = None
        self.commits = 0
        self.merges = 0
        self.main_steps = []                 # (mark, touched paths) per first-parent commit
        self.releases = []                   # dicts: tag, mark, time, cycle facts
        self.cycle = self.new_cycle()
        self.version = [1, 0, 0]
        self.pr = 1000
        self.authors = [f"{FIRST[i]} {LAST[(i * 7) % len(LAST)]} "
                        f"<{FIRST[i].lower()}.{LAST[(i * 7) % len(LAST)].lower()}@example.com>"
                        for i in range(len(FIRST))]
        self.author_zone = [ZONES[(i * 5) % len(ZONES)] for i in range(len(FIRST))]
        self.next_migration_cycle = 6
        self.forced_cycle = None             # a cycle with a migration and a config change
        self.revertable = []                 # (mark, subject, {path: old lines}, step) this cycle
        self.prev_revertable = []            # the same for the previous cycle
        self.reverts = []                    # what was reverted: dicts
        self.source = None                   # fast-import's answers to get-mark
        self.avoid = set()                   # paths `regular` must not modify

    @staticmethod
    def new_cycle():
        return {"commits": 0, "migration": False, "config": False, "merges": 0}

    # ---- output -------------------------------------------------------------------------
    def emit(self, b):
        self.out.append(b)
        self.out_bytes += len(b)
        if self.out_bytes > (1 << 20):
            self.flush()

    def flush(self):
        self.sink.write(b"".join(self.out))
        self.out, self.out_bytes = [], 0

    def data(self, text):
        b = text.encode() if isinstance(text, str) else text
        self.emit(b"data %d\n" % len(b) + b + b"\n")

    # ---- contents -----------------------------------------------------------------------
    def word(self):
        return WORDS[self.rng.below(len(WORDS))]

    def code_line(self):
        r = self.rng.below(8)
        a, b, n = self.word(), self.word(), self.rng.below(1000)
        if r == 0:
            return f"    let {a}_{n} = {b}::parse(&{self.word()})?;"
        if r == 1:
            return f"    if {a}.{b}_count() > {n} {{ return Err(Error::{b.capitalize()}); }}"
        if r == 2:
            return f"    // {a} {b}: keep the {self.word()} in sync with the {self.word()} ({n})"
        if r == 3:
            return f"pub fn {a}_{b}(ctx: &Context, {self.word()}: u64) -> Result<{b.capitalize()}> {{"
        if r == 4:
            return f"    {a}.insert({b}_{n}, {self.word()}.clone());"
        if r == 5:
            return "}"
        if r == 6:
            return f"    metrics::counter!(\"{a}.{b}\").increment({n % 10 + 1});"
        return f"    self.{a} = {b}_{n}.max(self.{self.word()});"

    def doc_line(self):
        return " ".join(self.word() for _ in range(self.rng.between(6, 14))).capitalize() + "."

    def new_content(self, path):
        if path.endswith(".md"):
            return [f"# {self.word().capitalize()} {self.word()}", ""] + \
                [self.doc_line() for _ in range(self.rng.between(10, 50))]
        lines = [f"//! {self.word().capitalize()} {self.word()} for {path.split('/')[1]}.", ""]
        return lines + [self.code_line() for _ in range(self.rng.between(15, 90))]

    def modify(self, path):
        """Changes 1-3 hunks of a file; returns the old lines."""
        old = self.files[path]
        lines = list(old)
        gen = self.doc_line if path.endswith(".md") else self.code_line
        for _ in range(self.rng.between(1, 3)):
            at = self.rng.below(len(lines) + 1)
            drop = self.rng.between(0, 4) if len(lines) > 12 else 0
            add = self.rng.between(0 if len(lines) > 140 else 1, 2 if len(lines) > 140 else 5)
            lines[at:at + drop] = [gen() for _ in range(add)]
        if lines == old:
            lines.append(gen())
        self.files[path] = lines
        return old

    # ---- paths --------------------------------------------------------------------------
    def new_path(self, kind, module):
        while True:
            if kind == "src":
                p = f"src/{module}/{self.rng.choice(SUBDIRS)}/{self.word()}_{self.word()}.rs"
            elif kind == "tests":
                p = f"tests/{module}/{self.word()}_{self.word()}_test.rs"
            else:
                p = f"docs/{self.rng.choice(DOC_SECTIONS)}/{self.word()}-{self.word()}.md"
            if p not in self.names:
                self.names.add(p)
                return p

    def add_file(self, kind, module, lines=None):
        p = self.new_path(kind, module)
        self.files[p] = lines if lines is not None else self.new_content(p)
        {"src": self.src.get(module), "tests": self.tests.get(module),
         "docs": self.docs}[kind].add(p)
        return p

    def remove_file(self, p):
        del self.files[p]
        if p.startswith("src/"):
            self.src[p.split("/")[1]].remove(p)
        elif p.startswith("tests/"):
            self.tests[p.split("/")[1]].remove(p)
        elif p.startswith("docs/"):
            self.docs.remove(p)

    def module(self):
        return MODULES[self.rng.skewed(len(MODULES))]

    # ---- commits ------------------------------------------------------------------------
    def author(self):
        i = self.rng.skewed(len(self.authors))
        return self.authors[i], self.author_zone[i]

    def subject(self, module):
        s = f"{module}: {self.rng.choice(VERBS)} {self.word()} {self.word()}"
        return s + (f" (#{self.pr})" if self.rng.chance(0.5) else "")

    def body(self):
        if self.rng.chance(0.3):
            return ""
        return "\n\n" + "\n".join(self.doc_line() for _ in range(self.rng.between(1, 4)))

    def advance(self):
        self.t += 300 + self.rng.below(4 * 3600)
        return self.t

    def commit(self, ref, msg, changes, who=None, zone="+0000", t=None, parent=None,
               merge=None, committer=None):
        """changes: {path: lines or None (deleted)}. Returns the mark."""
        self.mark += 1
        self.commits += 1
        t = t if t is not None else self.advance()
        who_z = (who, zone) if who else self.author()
        self.emit(b"commit %s\nmark :%d\n" % (ref.encode(), self.mark))
        self.emit(f"author {who_z[0]} {t - self.rng.below(86400)} {who_z[1]}\n"
                  f"committer {committer or who_z[0]} {t} {who_z[1]}\n".encode())
        self.data(msg + "\n")
        if parent is not None:
            self.emit(b"from :%d\n" % parent)
        if merge is not None:
            self.emit(b"merge :%d\n" % merge)
        for p in sorted(changes):
            lines = changes[p]
            if lines is None:
                self.emit(f"D {p}\n".encode())
            else:
                self.emit(f"M 100644 inline {p}\n".encode())
                self.data("\n".join(lines) + "\n")
        self.emit(b"\n")
        return self.mark

    def main_commit(self, msg, changes, olds=None, **kw):
        m = self.commit("refs/heads/main", msg, changes, **kw)
        self.main_steps.append((m, set(changes), self.t))
        self.cycle["commits"] += 1
        if olds is not None:
            self.revertable.append((m, msg.split("\n")[0], olds, len(self.main_steps) - 1))
        return m

    # ---- what one step on main does ------------------------------------------------------
    def initial(self):
        changes = {}
        for m in MODULES:
            for _ in range(34):
                changes[self.add_file("src", m)] = None
            for _ in range(10):
                changes[self.add_file("tests", m)] = None
        for _ in range(100):
            changes[self.add_file("docs", None)] = None
        for c in CONFIG_FILES:
            p = f"config/{c}"
            self.files[p] = self.config_content(c)
            changes[p] = None
        for p, text in (("README.md", "# Service\n\nA synthetic project for benchmarks."),
                        ("CHANGELOG.md", "# Changelog"), ("VERSION", "1.0.0-dev"),
                        ("Cargo.toml", '[package]\nname = "service"\nversion = "1.0.0"'),
                        ("LICENSE", "MIT License\n\nCopyright (c) 2021 The Authors"),
                        (".gitignore", "/target\n*.log")):
            self.files[p] = text.split("\n")
            changes[p] = None
        changes = {p: self.files[p] for p in changes}
        self.main_commit("Initial import", changes, who=MAINTAINER, zone="+0100")

    def config_content(self, name):
        lines = [f"# {name}: service settings", ""]
        for s in range(self.rng.between(3, 6)):
            lines.append(f"[{self.word()}]")
            for _ in range(self.rng.between(2, 8)):
                lines.append(f"{self.word()}_{self.word()} = {self.rng.below(10000)}")
            lines.append("")
        return lines

    def config_change(self):
        c = self.rng.choice(CONFIG_FILES)
        p = f"config/{c}"
        old = self.files[p]
        lines = list(old)
        for _ in range(self.rng.between(1, 3)):
            i = self.rng.below(len(lines))
            if "=" in lines[i]:
                k = lines[i].split(" = ")[0]
                lines[i] = f"{k} = {self.rng.below(10000)}"
            else:
                lines.insert(i + 1, f"{self.word()}_{self.word()} = {self.rng.below(10000)}")
        if lines == old:
            lines.append(f"{self.word()}_timeout_ms = {self.rng.below(10000)}")
        self.files[p] = lines
        self.cycle["config"] = True
        return p, old

    def regular(self, force=None):
        rng = self.rng
        m = self.module()
        changes, olds = {}, {}
        r = rng.next() / 18446744073709551616 if force is None else 1.0 if force == "small" else -1.0
        subj = self.subject(m)

        def mod(paths):
            for p in paths:
                if p not in changes and p not in self.avoid:
                    olds[p] = self.modify(p)
                    changes[p] = self.files[p]

        if force == "config" or 0.152 <= r < 0.159:
            p, old = self.config_change()
            olds[p], changes[p] = old, self.files[p]
            subj = f"config: tune {self.word()} {self.word()}" + (f" (#{self.pr})" if rng.chance(0.5) else "")
            if rng.chance(0.5):
                mod(self.src[m].sample(rng, 1))
        elif force == "migration":
            n = len(self.migrations) + 1
            self.migrations.append(n)
            table = f"{self.word()}_{self.word()}s"
            base = f"migrations/{n:04d}_{'create' if n % 3 else 'alter'}_{table}"
            if n % 3:
                up = [f"CREATE TABLE {table} (", "    id BIGSERIAL PRIMARY KEY,",
                      f"    {self.word()}_id BIGINT NOT NULL,",
                      f"    {self.word()} TEXT,", "    created_at TIMESTAMPTZ NOT NULL DEFAULT now()",
                      ");", f"CREATE INDEX {table}_idx ON {table} (created_at);"]
                down = [f"DROP TABLE {table};"]
            else:
                col = f"{self.word()}_{self.word()}"
                up = [f"ALTER TABLE {self.word()}s ADD COLUMN {col} BIGINT;"]
                down = [f"ALTER TABLE {self.word()}s DROP COLUMN {col};"]
            for suffix, lines in ((".up.sql", up), (".down.sql", down)):
                self.files[base + suffix] = lines
                changes[base + suffix] = lines
            mod(self.src["db"].sample(rng, 2))
            subj = f"db: add migration {n:04d} ({table})"
            self.cycle["migration"] = True
        elif r < 0.03:                                   # refactor across modules
            k = rng.between(20, 50)
            while len(changes) < k:
                mm = MODULES[rng.below(len(MODULES))]
                mod(self.src[mm].sample(rng, rng.between(1, 4)))
                if rng.chance(0.3):
                    mod(self.tests[mm].sample(rng, 1))
            subj = f"Refactor: {rng.choice(VERBS)} {self.word()} across modules (#{self.pr})"
        elif r < 0.09:                                   # medium, one module
            mod(self.src[m].sample(rng, rng.between(4, 10)))
            mod(self.tests[m].sample(rng, rng.between(1, 4)))
            if rng.chance(0.3):
                mod(self.docs.sample(rng, 1))
        elif r < 0.13:                                   # a feature: new files
            for _ in range(rng.between(1, 3)):
                p = self.add_file("src", m)
                changes[p] = self.files[p]
            if rng.chance(0.6):
                p = self.add_file("tests", m)
                changes[p] = self.files[p]
            if rng.chance(0.2):
                p = self.add_file("docs", None)
                changes[p] = self.files[p]
            mod(self.src[m].sample(rng, rng.between(0, 2), avoid=changes))
            subj = f"{m}: add {self.word()} {self.word()} (#{self.pr})"
        elif r < 0.137 and len(self.src[m]) > 20:      # delete a file
            p = self.src[m].sample(rng, 1)[0]
            olds[p] = self.files[p]
            self.remove_file(p)
            changes[p] = None
            mod(self.src[m].sample(rng, 1))
            subj = f"{m}: remove unused {p.rsplit('/', 1)[1][:-3]}"
        elif r < 0.145:                                  # rename a file
            old = self.src[m].sample(rng, 1)[0]
            lines = self.files[old]
            self.remove_file(old)
            new = self.add_file("src", m, lines=lines)
            self.modify(new)
            changes[old], changes[new] = None, self.files[new]
            olds = None                                  # not a candidate for the revert
            subj = f"{m}: move {old.rsplit('/', 1)[1]} to {new.split('/', 2)[2]}"
        elif r < 0.17:                                   # docs only
            mod(self.docs.sample(rng, rng.between(1, 2)))
            subj = f"docs: {rng.choice(VERBS)} {self.word()} {self.word()}"
        else:                                            # small: 1-5 files
            mod(self.src[m].sample(rng, rng.between(1, 3)))
            if rng.chance(0.5):
                mod(self.tests[m].sample(rng, 1))
            if rng.chance(0.08):
                mod(self.docs.sample(rng, 1))
        if not changes:
            p = self.add_file("tests", m)
            changes[p] = self.files[p]
        self.pr += 1
        if olds is not None and any(v is None for v in changes.values()):
            olds = None
        if olds is not None and any(p not in olds for p in changes):
            olds = None
        self.main_commit(subj + self.body(), changes, olds=olds)

    def merge(self):
        """A 3-commit branch forked FORK_BACK steps ago, merged with --no-ff."""
        rng = self.rng
        fork_mark, _, fork_t = self.main_steps[-FORK_BACK]
        touched = set()
        for _, paths, _ in self.main_steps[-FORK_BACK + 1:]:
            touched |= paths
        m = self.module()
        user_i = rng.skewed(len(self.authors))
        who, zone = self.authors[user_i], self.author_zone[user_i]
        branch = f"{who.split()[0].lower()}/{self.word()}-{self.word()}"
        final = {}
        parent = fork_mark
        t0 = self.t
        for k in range(BRANCH_COMMITS):
            changes = {}
            for p in self.src[m].sample(rng, rng.between(1, 3), avoid=touched):
                self.modify(p)
                changes[p] = self.files[p]
            if rng.chance(0.3):
                for p in self.tests[m].sample(rng, 1, avoid=touched):
                    self.modify(p)
                    changes[p] = self.files[p]
            if k == 0 and rng.chance(0.3):
                p = self.add_file("src", m)
                changes[p] = self.files[p]
            if not changes:
                p = self.add_file("tests", m)
                changes[p] = self.files[p]
            final.update(changes)
            touched_now = set(changes)
            subj = f"{m}: {rng.choice(VERBS)} {self.word()} {self.word()}"
            parent = self.commit("refs/heads/feature", subj + self.body(), changes, who=who,
                                 zone=zone, t=fork_t + (t0 - fork_t) * (k + 1) // (BRANCH_COMMITS + 1),
                                 parent=parent if k == 0 else None)
            touched |= touched_now
        msg = (f"Merge pull request #{self.pr} from {branch}\n\n"
               f"{m}: {rng.choice(VERBS)} {self.word()} {self.word()}")
        self.pr += 1
        self.merges += 1
        self.cycle["merges"] += 1
        self.main_commit(msg, final, who=who, zone=zone, merge=parent, committer=MAINTAINER)

    def release(self):
        major, minor, patch = self.version
        tag = f"v{major}.{minor}.{patch}"
        t = self.advance()
        ch = self.files["CHANGELOG.md"]
        entry = [f"## {tag}", ""] + [f"- {self.word()} {self.word()}: {self.rng.choice(VERBS)}"
                                     for _ in range(self.rng.between(3, 10))] + [""]
        self.files["CHANGELOG.md"] = ch[:2] + entry + ch[2:] if len(ch) > 2 else ch + [""] + entry
        self.files["VERSION"] = [f"{major}.{minor}.{patch}"]
        mark = self.main_commit(f"Release {tag}", {"CHANGELOG.md": self.files["CHANGELOG.md"],
                                                   "VERSION": self.files["VERSION"]},
                                who=MAINTAINER, zone="+0100", t=t)
        tag_t = t + 1800
        msg = f"Release {tag}\n\n" + "\n".join(entry[2:-1]) + "\n"
        self.emit(f"tag {tag}\nfrom :{mark}\ntagger {RELEASER} {tag_t} +0000\n".encode())
        self.data(msg)
        self.releases.append({"tag": tag, "mark": mark, "time": tag_t, **self.cycle})
        self.cycle = self.new_cycle()
        self.prev_revertable, self.revertable = self.revertable, []
        if self.rng.chance(0.1) or patch >= 14:
            self.version = [major, minor + 1, 0]
        else:
            self.version = [major, minor, patch + 1]

    def pass1(self):
        self.initial()
        step = 0
        forced = int(self.n_releases * 0.8)
        while len(self.releases) < self.n_releases:
            cycle = len(self.releases)
            steps = self.rng.between(30, 86)
            migration_at = -1
            if cycle == self.next_migration_cycle or cycle == forced:
                migration_at = self.rng.below(steps)
                if cycle == self.next_migration_cycle:
                    self.next_migration_cycle += self.rng.between(8, 12)
            config_at = self.rng.below(steps) if cycle == forced else -1
            if config_at == migration_at >= 0:
                config_at = (migration_at + 1) % steps
            revert_at = -1
            if cycle > 0 and (cycle == self.n_releases // 2 + 1 or self.rng.chance(0.3)):
                revert_at = self.rng.between(1, 10)
            for s in range(steps):
                step += 1
                if s == revert_at and self.revert_one():
                    pass
                elif s == migration_at:
                    self.regular(force="migration")
                elif s == config_at:
                    self.regular(force="config")
                elif step % MERGE_EVERY == 0 and len(self.main_steps) > FORK_BACK:
                    self.merge()
                else:
                    self.regular()
            self.release()
        self.forced_cycle = forced
        self.flush()

    def get_mark(self, mark):
        """The commit id of a mark, asked of fast-import mid-stream."""
        self.flush()
        self.sink.write(b"get-mark :%d\n" % mark)
        self.sink.flush()
        return self.source.readline().decode().strip()

    def revert_one(self):
        """Reverts (as `git revert` would) the newest commit of the previous release whose files
        no later commit touched; False when there is none."""
        for j in range(len(self.prev_revertable) - 1, -1, -1):
            mk, subj, olds, idx = self.prev_revertable[j]
            later = set()
            for _, paths, _ in self.main_steps[idx + 1:]:
                later |= paths
            if set(olds) & later:
                continue
            del self.prev_revertable[j]
            for p, lines in olds.items():
                self.files[p] = lines
            oid = self.get_mark(mk)
            m = self.main_commit(f'Revert "{subj}"\n\nThis reverts commit {oid}.', dict(olds))
            self.reverts.append({"commit": oid, "subject": subj, "release": self.releases[-1]["tag"],
                                 "revert": self.get_mark(m)})
            return True
        return False

    def pass2(self):
        """Unreleased commits (one reverts a commit of the newest release) and records."""
        # Later commits leave the newest release's files alone, so reverting it on main is
        # clean (the other pairs conflict like real old releases do).
        start = next(i for i, s in enumerate(self.main_steps)
                     if s[0] == self.releases[-2]["mark"]) if len(self.releases) > 1 else 0
        for _, paths, _ in self.main_steps[start + 1:]:
            self.avoid |= paths
        for i in range(UNRELEASED):
            if i == 2 and self.revert_one():
                continue
            self.regular(force="small")
        deploys = []
        for i, r in enumerate(self.releases):
            if i < len(self.releases) - 1 and self.rng.chance(0.1):
                continue                                    # never deployed
            t = r["time"] + 3600 + self.rng.below(6 * 3600)
            deploys.append((t, r))
        deploys.sort(key=lambda d: d[0])
        assert deploys[-1][1] is self.releases[-1]
        for t, r in deploys:
            tag = r["tag"]
            self.emit(f"tag deploy/production/{compact(t)}.1-{tag}\nfrom :{r['mark']}\n"
                      f"tagger {DEPLOYER} {t} +0000\n".encode())
            self.data(f"Deploy {tag} to production\n\nDeploy-Environment: production\n"
                      f"Deploy-Release: {tag}\nGit-Rollback-Format: 1\n")
            r["deployed"] = t
        self.flush()
        return len(deploys)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    repo, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) == 4 else RELEASES
    h = History(n)
    p = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    h.sink, h.source = p.stdin, p.stdout
    h.pass1()
    deploys = h.pass2()
    p.stdin.close()
    if p.wait() != 0:
        sys.exit(f"git fast-import exited {p.returncode}")

    rel = h.releases
    newest = len(rel) - 1
    middle = len(rel) // 2
    forced = h.forced_cycle

    def pair(label, i):
        a, b = rel[i], rel[i - 1]
        return {"label": label, "from": a["tag"], "to": b["tag"],
                "migration": a["migration"], "config": a["config"], "merges": a["merges"]}

    doc = {
        "releases": len(rel),
        "commits": h.commits,                 # every commit is reachable from main
        "merges": h.merges,
        "files_at_tip": len(h.files),
        "migrations": len(h.migrations) * 2,
        "config_files": len(CONFIG_FILES),
        "deploy_records": deploys,
        "unreleased_commits": UNRELEASED,
        "reverts": h.reverts,
        "cycles_with_migration": sum(r["migration"] for r in rel),
        "cycles_with_config_change": sum(r["config"] for r in rel),
        "first_release_time": rel[0]["time"],
        "newest_release_time": rel[-1]["time"],
        "pairs": [pair("newest", newest), pair("middle", middle),
                  pair("migration+config", forced)],
    }
    with open(f"{out}/expected.json", "w") as f:
        f.write(json.dumps(doc, indent=2) + "\n")


if __name__ == "__main__":
    main()
