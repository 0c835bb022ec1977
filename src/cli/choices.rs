//! The values of the flags that name a core enum (`--strategy`, `--situation`, `--bump`,
//! `--kind`, `--color`): clap's possible values, with their help, mapped to the core types.
//! The core enums know nothing of clap; this table is the CLI's mirror of them.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use crate::ledger::history::EventKind;
use crate::ledger::tagging::Bump;
use crate::plan::{Situation, Strategy};
use crate::render::ColorChoice;

/// One value of a flag: its name on the command line, the core value, and its help.
type Choice<T> = (&'static str, T, &'static str);

pub const STRATEGIES: &[Choice<Strategy>] = &[
    (
        "revert",
        Strategy::Revert,
        "Revert the commits between the two releases on the production branch",
    ),
    (
        "branch",
        Strategy::Branch,
        "A new branch at the target release (the \"switch to the previous tag\" rollback)",
    ),
    (
        "hotfix",
        Strategy::Hotfix,
        "A hotfix branch from the last stable release, to fix forward",
    ),
    (
        "deploy",
        Strategy::Deploy,
        "No code change: the deployment layer rolls back",
    ),
];

pub const SITUATIONS: &[Choice<Situation>] = &[
    (
        "just-deployed",
        Situation::JustDeployed,
        "Just deployed, issue found: roll back at the deployment layer",
    ),
    (
        "running",
        Situation::Running,
        "Running a while, the code must go back: revert the range",
    ),
    (
        "incident",
        Situation::Incident,
        "Serious incident, restore the last complete version now: a branch from the target",
    ),
];

pub const BUMPS: &[Choice<Bump>] = &[
    ("patch", Bump::Patch, ""),
    ("minor", Bump::Minor, ""),
    ("major", Bump::Major, ""),
    (
        "prerelease",
        Bump::Prerelease,
        "The next pre-release: `1.3.0-rc.1` → `1.3.0-rc.2`; `1.2.3` → `1.2.4-rc.1`",
    ),
];

pub const KINDS: &[Choice<EventKind>] = &[
    ("release", EventKind::Release, ""),
    ("deploy", EventKind::Deploy, ""),
    ("rollback", EventKind::Rollback, ""),
    ("restore", EventKind::Restore, ""),
    ("drill", EventKind::Drill, ""),
];

pub const COLORS: &[Choice<ColorChoice>] = &[
    ("auto", ColorChoice::Auto, ""),
    ("always", ColorChoice::Always, ""),
    ("never", ColorChoice::Never, ""),
];

/// A clap value parser that accepts exactly the names of `choices` and yields their values.
pub fn parser<T: Copy + Send + Sync + 'static>(choices: &'static [Choice<T>]) -> impl TypedValueParser<Value = T> {
    let possible = choices.iter().map(|(name, _, help)| {
        let value = PossibleValue::new(*name);
        if help.is_empty() { value } else { value.help(*help) }
    });
    PossibleValuesParser::new(possible).map(move |name| {
        choices
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, value, _)| *value)
            .expect("clap accepted only these names")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_the_core_value_s_own() {
        for (name, s, _) in STRATEGIES {
            assert_eq!(*name, s.as_str());
        }
        for (name, k, _) in KINDS {
            assert_eq!(*name, k.as_str());
        }
    }
}
