//! Config files changed between the two releases, with the diff of rolling back, and those
//! that do not roll back with the code (`external-config`) flagged.

use super::{Input, Item, Status};

pub fn check(input: &Input<'_>) -> Item {
    let files = &input.range.config;
    if files.is_empty() {
        return Item::new(
            "config.changed",
            Status::Pass,
            "no config file changed between the releases",
        );
    }
    let mut details = Vec::new();
    let mut external = Vec::new();
    for f in files {
        let path = &f.change.path;
        let is_external = input.config.external_config.is_match(path)
            || f.change
                .old_path
                .as_deref()
                .is_some_and(|p| input.config.external_config.is_match(p));
        if is_external {
            external.push(path.clone());
        }
        let kind = format!("{:?}", f.change.kind).to_lowercase();
        let mark = if is_external {
            " [external: does not roll back with the code]"
        } else {
            ""
        };
        let what = if f.is_binary() { " (binary)" } else { "" };
        details.push(format!("{path}: {kind}{what}{mark}"));
    }
    let summary = format!(
        "{} config file{} differ{}; review what rolling back changes",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        if files.len() == 1 { "s" } else { "" }
    );
    let item = Item::new("config.changed", Status::Warn, summary).details(details);
    if external.is_empty() {
        item
    } else {
        item.hint(format!(
            "{} live outside the code: restore them by hand in their own store",
            external.join(", ")
        ))
    }
}
