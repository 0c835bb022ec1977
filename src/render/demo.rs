//! `demo`: where the sandbox is and what to try in it.

use std::path::Path;

use serde::Serialize;

use super::Output;
use crate::demo::Summary;

#[derive(Serialize)]
pub struct DemoDoc<'a> {
    pub schema: &'static str,
    pub path: String,
    pub commits: usize,
    pub releases: &'a [String],
    pub records: &'a [String],
}

pub fn doc<'a>(dir: &Path, s: &'a Summary) -> DemoDoc<'a> {
    DemoDoc {
        schema: "git-rollback/demo/v1",
        path: dir.display().to_string(),
        commits: s.commits,
        releases: &s.releases,
        records: &s.records,
    }
}

pub fn human(out: &Output, dir: &Path, s: &Summary) -> String {
    let st = &out.out_styles;
    let path = dir.display().to_string();
    let quoted = if path.contains([' ', '\'', '"', '$', '`']) {
        format!("'{}'", path.replace('\'', "'\\''"))
    } else {
        path.clone()
    };
    format!(
        "{title} {path}\n\n\
         A small web shop: {commits} commits, {releases} releases ({list}),\n\
         migrations (one without a down script), config changes, and {records} records:\n\
         deploys to staging and production, and v1.4.0 rolled back in production.\n\n\
         {try_it}\n  cd {quoted}\n  git rollback            # the guided rollback (on a terminal)\n  git rollback status\n  git rollback check --env production\n  git rollback releases\n  git rollback history --env production   # what happened, for the post-mortem\n",
        title = st.heading.apply_to("Demo repository:"),
        path = st.version.apply_to(&path),
        commits = s.commits,
        releases = s.releases.len(),
        list = s.releases.join(", "),
        records = s.records.len(),
        try_it = st.heading.apply_to("Try:"),
    )
}
