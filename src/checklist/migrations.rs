//! Migrations changed between the two releases, each classified from the files of the live
//! release: reversible, irreversible (no way down), destructive (the up script drops data, even
//! when a down script exists) or unknown. Frameworks recognised: sqlx and golang-migrate
//! (`.up.sql`/`.down.sql`), dbmate (`-- migrate:down`), Flyway (`V…`/`U…`), Rails
//! (`db/migrate/*.rb`), Django (`migrations/*.py`), Liquibase (change sets).

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::{Input, Item, Status};
use crate::model::range::{ChangeKind, RangeFacts};
use crate::plan::Strategy;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Classification {
    Reversible,
    Unknown,
    Destructive,
    Irreversible,
}

impl Classification {
    pub fn as_str(self) -> &'static str {
        match self {
            Classification::Reversible => "reversible",
            Classification::Unknown => "unknown",
            Classification::Destructive => "destructive",
            Classification::Irreversible => "irreversible",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub path: String,
    pub change: ChangeKind,
    pub framework: &'static str,
    pub classification: Classification,
    pub reason: String,
}

static DESTRUCTIVE_SQL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(drop\s+table|drop\s+column|truncate)\b").expect("valid"));
static FLYWAY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^([VUR])([0-9][0-9._]*)?__.+\.sql$").expect("valid"));

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// SQL without `--` comments.
fn sql_code(text: &str) -> String {
    text.lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn destructive_sql(text: &str) -> Option<String> {
    DESTRUCTIVE_SQL.find(&sql_code(text)).map(|m| m.as_str().to_uppercase())
}

type Verdict = (&'static str, Classification, String);

/// Splits a dbmate file into its up and down sections.
fn dbmate_sections(text: &str) -> (String, Option<String>) {
    let (mut up, mut down, mut current) = (String::new(), None::<String>, 0);
    for line in text.lines() {
        let marker = line.trim().to_ascii_lowercase();
        if marker.starts_with("-- migrate:up") {
            current = 1;
        } else if marker.starts_with("-- migrate:down") {
            current = 2;
            down.get_or_insert_with(String::new);
        } else if current == 1 {
            up.push_str(line);
            up.push('\n');
        } else if current == 2 {
            let d = down.get_or_insert_with(String::new);
            d.push_str(line);
            d.push('\n');
        }
    }
    (up, down)
}

/// Top-level arguments of the call starting right after `open` in `text` (balanced parens).
fn call_args(text: &str) -> Vec<String> {
    let (mut depth, mut args, mut cur, mut quote) = (1i32, Vec::new(), String::new(), None::<char>);
    for c in text.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                quote = Some(c);
                cur.push(c);
            }
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                cur.push(c);
            }
            ',' if depth == 1 => args.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    args.push(cur);
    args.into_iter()
        .map(|a| a.trim().to_owned())
        .filter(|a| !a.is_empty())
        .collect()
}

fn django(text: &str) -> Verdict {
    for (op, reverse) in [("RunPython(", "reverse_code"), ("RunSQL(", "reverse_sql")] {
        let mut rest = text;
        while let Some(i) = rest.find(op) {
            let args = call_args(&rest[i + op.len()..]);
            let positional = args.iter().filter(|a| !a.contains('=')).count();
            let named = args.iter().any(|a| a.starts_with(reverse));
            if positional < 2 && !named {
                let name = op.trim_end_matches('(');
                return (
                    "django",
                    Classification::Irreversible,
                    format!("{name} without {reverse}"),
                );
            }
            rest = &rest[i + op.len()..];
        }
    }
    if let Some(word) = ["DeleteModel", "RemoveField"].into_iter().find(|w| text.contains(w)) {
        return ("django", Classification::Destructive, format!("{word} drops data"));
    }
    if let Some(sql) = destructive_sql(text) {
        return ("django", Classification::Destructive, format!("{sql} in RunSQL"));
    }
    (
        "django",
        Classification::Reversible,
        "Django operations reverse automatically".into(),
    )
}

fn rails(text: &str) -> Verdict {
    if text.contains("IrreversibleMigration") {
        return (
            "rails",
            Classification::Irreversible,
            "raises ActiveRecord::IrreversibleMigration".into(),
        );
    }
    let has = |re: &str| Regex::new(re).expect("valid").is_match(text);
    let forward = text.split("def down").next().unwrap_or(text);
    let destructive = Regex::new(r"\b(drop_table|remove_columns?)\b")
        .expect("valid")
        .find(forward)
        .map(|m| m.as_str().to_owned());
    if has(r"\bdef\s+down\b") {
        return match destructive {
            Some(op) => (
                "rails",
                Classification::Destructive,
                format!("{op} in up (down recreates structure, not data)"),
            ),
            None => ("rails", Classification::Reversible, "has a down method".into()),
        };
    }
    if has(r"\bdef\s+up\b") {
        return ("rails", Classification::Irreversible, "up without down".into());
    }
    if has(r"\bdef\s+change\b") {
        if !text.contains("reversible do") {
            let non_invertible = [
                (r"\bexecute\b", "execute"),
                (r"\bchange_column\s", "change_column"),
                (r"\bremove_column\s+:\w+\s*,\s*:\w+\s*$", "remove_column without a type"),
                (r"(?m)\bdrop_table\s+:\w+\s*$", "drop_table without a block"),
            ];
            for (re, what) in non_invertible {
                if Regex::new(&format!("(?m){re}")).expect("valid").is_match(text) {
                    return (
                        "rails",
                        Classification::Irreversible,
                        format!("{what} in change cannot be inverted"),
                    );
                }
            }
        }
        return match destructive {
            Some(op) => ("rails", Classification::Destructive, format!("{op} drops data")),
            None => (
                "rails",
                Classification::Reversible,
                "change with invertible operations".into(),
            ),
        };
    }
    (
        "rails",
        Classification::Unknown,
        "no up, down or change method found".into(),
    )
}

fn liquibase(text: &str) -> Verdict {
    let no_auto = [
        "<sql",
        "<sqlFile",
        "<update",
        "<delete",
        "<insert",
        "<dropTable",
        "<dropColumn",
        "<customChange",
    ];
    let mut sets = text.split("<changeSet").skip(1).peekable();
    if sets.peek().is_none() {
        return ("liquibase", Classification::Unknown, "no changeSet found".into());
    }
    let mut destructive = None;
    for (n, set) in sets.enumerate() {
        let set = set.split("</changeSet>").next().unwrap_or(set);
        let (forward, has_rollback) = match set.find("<rollback") {
            Some(i) => (&set[..i], true),
            None => (set, false),
        };
        if !has_rollback && let Some(op) = no_auto.iter().find(|op| forward.contains(*op)) {
            let id = set
                .split("id=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .map_or(format!("#{}", n + 1), str::to_owned);
            return (
                "liquibase",
                Classification::Irreversible,
                format!("changeSet {id} has {op}> and no <rollback>"),
            );
        }
        if destructive.is_none() {
            destructive = ["<dropTable", "<dropColumn"]
                .into_iter()
                .find(|op| forward.contains(op))
                .map(str::to_owned);
        }
    }
    match destructive {
        Some(op) => ("liquibase", Classification::Destructive, format!("{op}> drops data")),
        None => (
            "liquibase",
            Classification::Reversible,
            "every changeSet rolls back".into(),
        ),
    }
}

/// Whether a file that the migration globs match is a migration at all: migration directories
/// also hold documentation, placeholders, templates and tool settings (Alembic and
/// Flask-Migrate keep `README`, `alembic.ini`, `env.py` and `script.py.mako` beside
/// `versions/`; Prisma keeps `migration_lock.toml`; many keep a `.gitkeep`), which are neither
/// read nor listed. Unknown code extensions still count: they are reported as a format this
/// tool does not read, which is the truth.
pub fn is_migration_file(path: &str) -> bool {
    const NOT_CODE: &[&str] = &[
        "md", "markdown", "txt", "rst", "adoc", "org", "html", "mako", "jinja", "j2", "tmpl", "ini", "cfg", "toml",
        "lock", "pyc", "pyo", "png", "jpg", "jpeg", "gif", "svg", "pdf", "log", "orig", "bak", "swp",
    ];
    const NOT_MIGRATIONS: &[&str] = &[
        "env.py",
        "conftest.py",
        "Makefile",
        "Dockerfile",
        "LICENSE",
        "OWNERS",
        "CODEOWNERS",
    ];
    let name = file_name(path);
    if path.split('/').any(|c| c == "__pycache__") || name.starts_with('.') || NOT_MIGRATIONS.contains(&name) {
        return false;
    }
    let upper = name.to_ascii_uppercase();
    if ["README", "CHANGELOG", "CHANGES", "NOTES"]
        .iter()
        .any(|p| upper.starts_with(p))
    {
        return false;
    }
    match name.rsplit_once('.') {
        Some((_, ext)) => !NOT_CODE.contains(&ext.to_ascii_lowercase().as_str()),
        // No extension: README, placeholders, scripts' wrappers; no migration format has none.
        None => false,
    }
}

/// Classifies one migration file of the live release.
pub fn classify(path: &str, text: &str, live_files: &[String]) -> Verdict {
    let name = file_name(path);
    let dir = dir_of(path);
    let sibling = |n: &str| {
        let p = if dir.is_empty() {
            n.to_owned()
        } else {
            format!("{dir}/{n}")
        };
        live_files.contains(&p)
    };
    if let Some(stem) = name.strip_suffix(".up.sql") {
        let down = format!("{stem}.down.sql");
        if !sibling(&down) {
            return ("sqlx", Classification::Irreversible, format!("no down script ({down})"));
        }
        return match destructive_sql(text) {
            Some(sql) => (
                "sqlx",
                Classification::Destructive,
                format!("{sql} in the up script (down recreates structure, not data)"),
            ),
            None => ("sqlx", Classification::Reversible, format!("paired with {down}")),
        };
    }
    if name.ends_with(".down.sql") {
        return ("sqlx", Classification::Reversible, "a down script".into());
    }
    if name.ends_with(".sql") && text.to_ascii_lowercase().contains("-- migrate:up") {
        let (up, down) = dbmate_sections(text);
        let down_code = down.as_deref().map(sql_code).unwrap_or_default();
        if down_code.trim().is_empty() {
            return (
                "dbmate",
                Classification::Irreversible,
                "empty migrate:down section".into(),
            );
        }
        return match destructive_sql(&up) {
            Some(sql) => ("dbmate", Classification::Destructive, format!("{sql} in migrate:up")),
            None => (
                "dbmate",
                Classification::Reversible,
                "has a migrate:down section".into(),
            ),
        };
    }
    if let Some(caps) = FLYWAY.captures(name) {
        let version = caps.get(2).map_or("", |m| m.as_str());
        return match &caps[1] {
            "U" => ("flyway", Classification::Reversible, "an undo script".into()),
            "R" => (
                "flyway",
                Classification::Unknown,
                "a repeatable migration: re-applied, not undone".into(),
            ),
            _ => {
                let undo = format!("U{version}__");
                let has_undo = live_files
                    .iter()
                    .any(|f| dir_of(f) == dir && file_name(f).starts_with(&undo));
                if !has_undo {
                    (
                        "flyway",
                        Classification::Irreversible,
                        format!("no undo script ({undo}….sql)"),
                    )
                } else if let Some(sql) = destructive_sql(text) {
                    ("flyway", Classification::Destructive, format!("{sql} in the migration"))
                } else {
                    (
                        "flyway",
                        Classification::Reversible,
                        format!("has an undo script {undo}…"),
                    )
                }
            }
        };
    }
    if name.ends_with(".rb") {
        return rails(text);
    }
    if name.ends_with(".py") {
        if name == "__init__.py" {
            return ("django", Classification::Reversible, "package marker".into());
        }
        return django(text);
    }
    if text.contains("<changeSet") || text.contains("changeSet:") {
        return liquibase(text);
    }
    if name.ends_with(".sql") {
        return match destructive_sql(text) {
            Some(sql) => (
                "sql",
                Classification::Destructive,
                format!("{sql}, and no down-script convention recognised"),
            ),
            None => (
                "sql",
                Classification::Unknown,
                "no down-script convention recognised".into(),
            ),
        };
    }
    (
        "unknown",
        Classification::Unknown,
        "not a migration format this tool reads".into(),
    )
}

/// Every changed migration, classified; a down or undo script changed together with its up
/// script is folded into it.
pub fn classify_all(range: &RangeFacts) -> Vec<Migration> {
    let files = &range.migrations;
    let changed = |p: &str| files.iter().any(|f| f.change.path == p);
    let mut out = Vec::new();
    for f in files {
        let path = &f.change.path;
        let name = file_name(path);
        if let Some(stem) = name.strip_suffix(".down.sql")
            && changed(&format!("{}{stem}.up.sql", &path[..path.len() - name.len()]))
        {
            continue;
        }
        if let Some(caps) = FLYWAY.captures(name)
            && &caps[1] == "U"
        {
            let v = format!("V{}__", caps.get(2).map_or("", |m| m.as_str()));
            if files
                .iter()
                .any(|g| dir_of(&g.change.path) == dir_of(path) && file_name(&g.change.path).starts_with(&v))
            {
                continue;
            }
        }
        let (framework, classification, reason) = match &f.live {
            None => (
                "-",
                Classification::Unknown,
                "removed in the live release: rolling back brings the file back (check it is not re-run)".to_owned(),
            ),
            Some(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                let (fw, class, reason) = classify(path, &text, &range.live_migration_files);
                let reason = if f.change.kind == ChangeKind::Modified {
                    format!("{reason}; modified after it was released (databases may have run the old version)")
                } else {
                    reason
                };
                (fw, class, reason)
            }
        };
        out.push(Migration {
            path: path.clone(),
            change: f.change.kind,
            framework,
            classification,
            reason,
        });
    }
    out
}

pub fn check(input: &Input<'_>, strategy: Strategy) -> Item {
    let id = "migrations.changed";
    let all = input.migrations;
    if all.is_empty() {
        return Item::new(id, Status::Pass, "no migration changed between the releases");
    }
    let count = |c: Classification| all.iter().filter(|m| m.classification == c).count();
    let mut parts = Vec::new();
    for (c, word) in [
        (Classification::Irreversible, "irreversible"),
        (Classification::Destructive, "destructive"),
        (Classification::Unknown, "unknown"),
        (Classification::Reversible, "reversible"),
    ] {
        if count(c) > 0 {
            parts.push(format!("{} {word}", count(c)));
        }
    }
    let n = all.len();
    let mut details: Vec<String> = all
        .iter()
        .map(|m| {
            format!(
                "{}: {} ({}) — {}",
                m.path,
                m.classification.as_str(),
                m.framework,
                m.reason
            )
        })
        .collect();
    details.push(format!(
        "order: run the down migrations from {} (the target's code does not have them) before switching the code to {}",
        input.live.tag, input.target.tag
    ));
    let summary = format!(
        "{n} migration{} changed: {}",
        if n == 1 { "" } else { "s" },
        parts.join(", ")
    );
    let irreversible = count(Classification::Irreversible) > 0;
    if irreversible && strategy.rolls_back_code() {
        Item::new(id, Status::Fail, summary)
            .details(details)
            .hint("the old code cannot run on the new schema: use --strategy hotfix (fix forward) or --strategy deploy")
    } else {
        Item::new(id, Status::Warn, summary).details(details)
    }
}
