#!/usr/bin/env python3
"""Writes the `git fast-import` stream for the revert benchmark (bench/revert-gen.sh).

    python3 bench/revert-gen.py N EXPECTED_JSON > stream

History on `main` (every commit on the first-parent chain, no merges):

- an initial import of ~2,000 files (src/**, tests/**, docs/**, config/*.toml, a few files at
  the root), then PRE commits touching 1-3 files each;
- the annotated release tag v1.0.0;
- N commits, each touching 1-3 files (mostly edits of a few lines, sometimes a new file,
  rarely a deleted one; about 1 in 15 touches a config/*.toml file);
- the annotated release tag v1.1.0 on the last of them;
- 3 commits touching files that none of the N commits touched, so a revert of v1.0.0..v1.1.0
  (newest first) applies cleanly on the moved tip.

Deterministic: a fixed seed per N, fixed identities and dates (one hour apart).
EXPECTED_JSON receives the shape of the repository.
"""

import json
import random
import sys

PRE = 300  # commits between the initial import and v1.0.0
TIP = 3  # commits after v1.1.0
START = 1577836800  # 2020-01-01T00:00:00Z

MODULES = [
    "api", "auth", "billing", "cache", "catalog", "checkout", "cli", "config", "db", "events",
    "search", "inventory", "jobs", "mail", "metrics", "orders", "payments", "queue", "storage",
    "users",
]
SUBS = ["handlers", "model", "service", "store", "util"]
WORDS = [
    "account", "amount", "batch", "buffer", "cart", "client", "cursor", "delta", "entry", "event",
    "filter", "handle", "index", "item", "key", "limit", "order", "page", "query", "record",
    "request", "result", "session", "state", "token", "total", "user", "value", "window",
]
AUTHORS = [
    ("Ada Lovelace", "ada@example.com"), ("Grace Hopper", "grace@example.com"),
    ("Linus Torvalds", "linus@example.com"), ("Barbara Liskov", "barbara@example.com"),
    ("Ken Thompson", "ken@example.com"), ("Margaret Hamilton", "margaret@example.com"),
]


class Gen:
    def __init__(self, n):
        self.n = n
        self.rng = random.Random(f"revert-bench-{n}")
        self.files = {}  # path -> content (str)
        self.mark = 0
        self.t = START
        self.out = []

    # --- content -----------------------------------------------------------------------------
    def word(self):
        return self.rng.choice(WORDS)

    def rust_line(self):
        r = self.rng.random()
        a, b = self.word(), self.word()
        k = self.rng.randrange(1000)
        if r < 0.35:
            return f"    let {a}_{k} = {b}.get_{a}({self.rng.randrange(64)})?;"
        if r < 0.55:
            return f"    if {a}.len() > {k} {{ return Err(Error::{b.capitalize()}Limit); }}"
        if r < 0.75:
            return f"    {a}.push({b}_{k}.clone());"
        if r < 0.9:
            return f"    // {a} {b}: see #{k}"
        return f"    tracing::debug!(\"{a} {b} {{}}\", {a}_{k});"

    def rust_file(self, name, lines):
        body = [f"//! {name}: {self.word()} {self.word()} handling.", "",
                "use crate::error::Error;", ""]
        while len(body) < lines:
            fn = f"{self.word()}_{self.word()}_{self.rng.randrange(100)}"
            body.append(f"pub fn {fn}({self.word()}: &mut Vec<u64>) -> Result<(), Error> {{")
            for _ in range(self.rng.randrange(3, 12)):
                body.append(self.rust_line())
            body += ["    Ok(())", "}", ""]
        return "\n".join(body) + "\n"

    def md_file(self, name, lines):
        body = [f"# {name}", ""]
        while len(body) < lines:
            body.append(" ".join(self.word() for _ in range(self.rng.randrange(6, 14))) + ".")
            if self.rng.random() < 0.2:
                body += ["", f"## {self.word().capitalize()} {self.word()}", ""]
        return "\n".join(body) + "\n"

    def toml_file(self, name, lines):
        body = [f"# {name}", f"[{name}]"]
        while len(body) < lines:
            if self.rng.random() < 0.15:
                body += ["", f"[{name}.{self.word()}]"]
            body.append(f"{self.word()}_{self.word()} = {self.rng.randrange(10000)}")
        return "\n".join(body) + "\n"

    def new_content(self, path):
        lines = self.rng.randrange(30, 140)
        stem = path.rsplit("/", 1)[-1].split(".")[0]
        if path.endswith(".rs"):
            return self.rust_file(stem, lines)
        if path.endswith(".md"):
            return self.md_file(stem, lines)
        return self.toml_file(stem, self.rng.randrange(20, 60))

    def edit(self, path):
        """A few changed or inserted lines somewhere in the file."""
        lines = self.files[path].split("\n")[:-1]
        for _ in range(self.rng.randrange(1, 4)):
            i = self.rng.randrange(len(lines))
            if path.endswith(".rs"):
                new = self.rust_line()
            elif path.endswith(".md"):
                new = " ".join(self.word() for _ in range(8)) + "."
            else:
                new = f"{self.word()}_{self.word()} = {self.rng.randrange(10000)}"
            if self.rng.random() < 0.5:
                lines[i] = new
            else:
                lines.insert(i, new)
        return "\n".join(lines) + "\n"

    # --- tree --------------------------------------------------------------------------------
    def initial_tree(self):
        for m in MODULES:
            self.files[f"src/{m}/mod.rs"] = None
            for s in SUBS:
                for j in range(13):  # 20 * 5 * 13 = 1300, + 20 mod.rs
                    self.files[f"src/{m}/{s}/{self.word()}_{j:02}.rs"] = None
            for j in range(20):  # 400
                self.files[f"tests/{m}/{self.word()}_{j:02}_test.rs"] = None
        for sec in ["guide", "reference", "ops", "adr", "api", "runbooks"]:
            for j in range(40):  # 240
                self.files[f"docs/{sec}/{self.word()}-{j:02}.md"] = None
        for j in range(40):
            self.files[f"config/{self.word()}_{j:02}.toml"] = None
        for p in ["README.md", "CHANGELOG.md", "Cargo.toml", "src/lib.rs", "src/main.rs"]:
            self.files[p] = None
        for p in sorted(self.files):
            self.files[p] = self.new_content(p)

    # --- stream ------------------------------------------------------------------------------
    def data(self, s):
        b = s.encode()
        self.out.append(f"data {len(b)}\n".encode() + b + b"\n")

    def commit(self, msg, changes):
        """changes: list of (path, content or None for delete)."""
        self.mark += 1
        self.t += 3600
        name, email = self.rng.choice(AUTHORS)
        self.out.append(f"commit refs/heads/main\nmark :{self.mark}\n".encode())
        self.out.append(f"author {name} <{email}> {self.t} +0000\n".encode())
        self.out.append(f"committer {name} <{email}> {self.t} +0000\n".encode())
        self.data(msg)
        if self.mark > 1:
            self.out.append(f"from :{self.mark - 1}\n".encode())
        for path, content in changes:
            if content is None:
                self.out.append(f"D {path}\n".encode())
                del self.files[path]
            else:
                self.files[path] = content
                self.out.append(f"M 100644 inline {path}\n".encode())
                self.data(content)
        self.out.append(b"\n")
        return self.mark

    def tag(self, name, mark):
        self.t += 60
        self.out.append(f"tag {name}\nfrom :{mark}\n".encode())
        self.out.append(f"tagger Release Bot <release@example.com> {self.t} +0000\n".encode())
        self.data(f"Release {name}\n")

    def pick(self, pool):
        """A file to edit: a config/*.toml file 1 time in 15, else any file of the pool."""
        if self.rng.random() < 1 / 15:
            configs = [p for p in pool if p.startswith("config/")]
            if configs:
                return self.rng.choice(configs)
        return self.rng.choice(pool)

    def random_commit(self, pool, allow_add_delete, counts):
        """A commit touching 1-3 distinct files picked from `pool` (a list of paths)."""
        k = self.rng.choice([1, 1, 2, 2, 2, 3])
        changes, touched = [], []
        for _ in range(k):
            r = self.rng.random()
            if allow_add_delete and r < 0.10:
                m = self.rng.choice(MODULES)
                p = f"src/{m}/{self.rng.choice(SUBS)}/{self.word()}_new_{self.mark + 1}_{len(changes)}.rs"
                changes.append((p, self.new_content(p)))
                counts["added"] += 1
            elif allow_add_delete and r < 0.13:
                p = self.rng.choice(pool)
                if p in touched or p not in self.files:
                    continue
                changes.append((p, None))
                pool.remove(p)
                counts["deleted"] += 1
            else:
                p = self.pick(pool)
                if p in touched:
                    continue
                changes.append((p, self.edit(p)))
                counts["modified"] += 1
            touched.append(changes[-1][0])
        if not changes:
            p = self.rng.choice(pool)
            changes.append((p, self.edit(p)))
            counts["modified"] += 1
            touched.append(p)
        subject = f"{self.rng.choice(['Fix', 'Add', 'Tune', 'Refactor', 'Document'])} " \
                  f"{self.word()} {self.word()} in {touched[0].split('/')[1] if '/' in touched[0] else 'root'}"
        return self.commit(subject + "\n\nBody line explaining why.\n", changes), touched


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: revert-gen.py N EXPECTED_JSON")
    n = int(sys.argv[1])
    g = Gen(n)
    g.initial_tree()
    files0 = len(g.files)
    g.commit("Initial import\n", sorted(g.files.items()))

    # The files the 3 commits after v1.1.0 touch: none of the range commits may touch them.
    paths = sorted(g.files)
    tip_files = g.rng.sample([p for p in paths if p.startswith(("src/", "docs/"))], TIP * 2)
    pool = [p for p in paths if p not in tip_files]

    pre_counts = {"added": 0, "deleted": 0, "modified": 0}
    for _ in range(PRE):
        g.random_commit(pool, False, pre_counts)
    g.tag("v1.0.0", g.mark)

    counts = {"added": 0, "deleted": 0, "modified": 0}
    range_touched = set()
    for _ in range(n):
        _, touched = g.random_commit(pool, True, counts)
        range_touched.update(touched)
    g.tag("v1.1.0", g.mark)
    assert not range_touched & set(tip_files)

    for i in range(TIP):
        a, b = tip_files[2 * i], tip_files[2 * i + 1]
        g.commit(f"After the release: {i + 1}\n", [(a, g.edit(a)), (b, g.edit(b))])

    sys.stdout.buffer.write(b"".join(g.out))
    sys.stdout.buffer.write(b"done\n")
    total_bytes = sum(len(c.encode()) for c in g.files.values())
    with open(sys.argv[2], "w") as f:
        json.dump({
            "range_commits": n,
            "commits_before_v1.0.0": 1 + PRE,
            "commits_after_v1.1.0": TIP,
            "files_initial": files0,
            "files_at_tip": len(g.files),
            "tree_bytes_at_tip": total_bytes,
            "range_files_touched": len(range_touched),
            "range_changes": counts,
            "range_config_files_touched": sorted(p for p in range_touched if p.startswith("config/")),
            "tip_files": tip_files,
        }, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
