//! `rollback.toml`: loading, the embedded documented defaults, validation, record-name templates.
//! Pure data after loading; it never touches Git, prints or prompts.

mod environments;
mod placeholders;
mod template;

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use regex::Regex;
use serde::Deserialize;

use crate::model::release::ComponentPattern;
use crate::model::{Component, EnvName, RecordKind, ReleaseScheme};
use environments::RawEnvironment;
pub use environments::{DRIVER_PLACEHOLDERS, Driver, EnvSettings};
use placeholders::check_placeholders;
pub use placeholders::{command, render_placeholders, shell_quote};
pub use template::{Template, TemplateError, Vars};

/// The documented defaults, embedded in the binary.
pub const DEFAULTS: &str = include_str!("defaults.toml");
/// The file looked for at the root of the work tree.
pub const FILE_NAME: &str = "rollback.toml";

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    production_branch: Option<String>,
    remote: Option<String>,
    release_branches: Option<Vec<String>>,
    release: Option<RawRelease>,
    components: Option<IndexMap<String, RawComponent>>,
    environments: Option<IndexMap<String, RawEnvironment>>,
    records: Option<RawRecords>,
    branches: Option<RawBranches>,
    paths: Option<RawPaths>,
    revert: Option<RawRevert>,
    checks: Option<RawChecks>,
    drill: Option<RawDrill>,
    policy: Option<RawPolicy>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawDrill {
    test_cmd: Option<String>,
    migrate_down: Option<String>,
    migrate_up: Option<String>,
    timeout: Option<u64>,
}

/// `[drill]`: the commands a drill runs by default, and how long each may take.
#[derive(Debug, Clone, Default)]
pub struct DrillCommands {
    pub test_cmd: Option<String>,
    pub migrate_down: Option<String>,
    pub migrate_up: Option<String>,
    /// Seconds.
    pub timeout: u64,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawChecks {
    warn_only: Option<Vec<String>>,
    skip: Option<Vec<String>>,
}

/// Per-item overrides of the checklist (ids are checked against the checklist when it runs).
#[derive(Debug, Clone, Default)]
pub struct CheckOverrides {
    pub warn_only: Vec<String>,
    pub skip: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRelease {
    pattern: Option<String>,
    tag_template: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawComponent {
    prefix: Option<String>,
    pattern: Option<String>,
    tag_template: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPolicy {
    allow: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawBranches {
    rollback: Option<String>,
    restore: Option<String>,
    hotfix: Option<String>,
}

/// Branch-name templates.
#[derive(Debug, Clone)]
pub struct BranchTemplates {
    pub rollback: String,
    pub restore: String,
    pub hotfix: String,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRecords {
    deploy: Option<String>,
    rollback: Option<String>,
    restore: Option<String>,
    drill: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPaths {
    migrations: Option<Vec<String>>,
    config: Option<Vec<String>>,
    external_config: Option<Vec<String>>,
    bookkeeping: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRevert {
    keep_ours: Option<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: `{key}` is not a valid regular expression: {message}")]
    Pattern {
        path: PathBuf,
        key: String,
        message: String,
    },
    #[error("{path}: `{key}` must contain a named group `version`, as in '^v(?P<version>.+)$'")]
    NoVersionGroup { path: PathBuf, key: String },
    #[error("{path}: `{key}`: {source}")]
    Template {
        path: PathBuf,
        key: String,
        source: TemplateError,
    },
    #[error("{path}: `{key}` = `{value}` is not a valid glob: {message}")]
    Glob {
        path: PathBuf,
        key: String,
        value: String,
        message: String,
    },
    #[error("{path}: `{key}`: {message}")]
    Value {
        path: PathBuf,
        key: String,
        message: String,
    },
}

/// Compiled path globs.
#[derive(Debug, Clone)]
pub struct Globs {
    pub patterns: Vec<String>,
    set: globset::GlobSet,
    /// The patterns given as `!glob`: a path they match is not matched, whatever else does.
    exclude: globset::GlobSet,
}

impl Globs {
    pub fn is_match(&self, path: &str) -> bool {
        self.set.is_match(path) && !self.exclude.is_match(path)
    }
}

/// The configuration in force: defaults overlaid with the user's file.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it came from (`None`: defaults only).
    pub source: Option<PathBuf>,
    pub production_branch: Option<String>,
    pub remote: String,
    /// Globs of branches releases and deploys must be on; empty: production branch + `hotfix/*`.
    pub release_branches: Vec<String>,
    pub scheme: ReleaseScheme,
    pub environments: Vec<EnvName>,
    /// Per environment: driver, timeout, release windows.
    pub env_settings: Vec<EnvSettings>,
    /// `[policy] allow`: who may tag, deploy and record deploys (globs over `Name <email>`
    /// and the email); empty: anyone.
    pub allow: Vec<String>,
    pub records: RecordTemplates,
    pub branches: BranchTemplates,
    pub migrations: Globs,
    pub config_paths: Globs,
    pub external_config: Globs,
    /// Release bookkeeping: version files, lockfiles, changelogs, release notes.
    pub bookkeeping: Globs,
    /// `[revert] keep-ours`: a revert whose only conflicts are in bookkeeping files keeps the
    /// production tip's side of them (as `--keep-ours`).
    pub keep_ours: bool,
    pub checks: CheckOverrides,
    pub drill: DrillCommands,
}

#[derive(Debug, Clone)]
pub struct RecordTemplates {
    pub deploy: Template,
    pub rollback: Template,
    pub restore: Template,
    pub drill: Template,
}

impl RecordTemplates {
    pub fn get(&self, kind: RecordKind) -> &Template {
        match kind {
            RecordKind::Deploy => &self.deploy,
            RecordKind::Rollback => &self.rollback,
            RecordKind::Restore => &self.restore,
            RecordKind::Drill => &self.drill,
        }
    }
}

impl Config {
    /// The defaults alone.
    pub fn defaults() -> Config {
        Self::from_raw(RawConfig::default(), None).expect("the embedded defaults are valid")
    }

    /// Loads `explicit` if given (it must exist), else `<root>/rollback.toml` if it exists,
    /// else the defaults.
    pub fn load(root: Option<&Path>, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match root.map(|r| {
                if r == Path::new(".") {
                    PathBuf::from(FILE_NAME)
                } else {
                    r.join(FILE_NAME)
                }
            }) {
                Some(p) if p.is_file() => p,
                _ => return Ok(Self::defaults()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Self::parse(&text, &path)
    }

    /// Parses the text of a config file named `path` (used in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string().trim().to_owned(),
        })?;
        Self::from_raw(raw, Some(path))
    }

    fn from_raw(user: RawConfig, path: Option<&Path>) -> Result<Config, ConfigError> {
        let defaults: RawConfig = toml::from_str(DEFAULTS).expect("embedded defaults parse");
        let shown = path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("(built-in defaults)"));
        let value_err = |key: &str, message: String| ConfigError::Value {
            path: shown.clone(),
            key: key.to_owned(),
            message,
        };

        let pick = |u: Option<String>, d: Option<String>| u.or(d).expect("default present");
        let (ur, dr) = (user.release.unwrap_or_default(), defaults.release.unwrap_or_default());
        let (urec, drec) = (user.records.unwrap_or_default(), defaults.records.unwrap_or_default());
        let (up, dp) = (user.paths.unwrap_or_default(), defaults.paths.unwrap_or_default());

        let compile = |key: &str, pattern: &str| -> Result<Regex, ConfigError> {
            let re = Regex::new(pattern).map_err(|e| ConfigError::Pattern {
                path: shown.clone(),
                key: key.to_owned(),
                message: e.to_string().lines().last().unwrap_or_default().to_owned(),
            })?;
            if !re.capture_names().any(|n| n == Some("version")) {
                return Err(ConfigError::NoVersionGroup {
                    path: shown.clone(),
                    key: key.to_owned(),
                });
            }
            Ok(re)
        };

        let check_template = |key: &str, t: Option<String>| -> Result<Option<String>, ConfigError> {
            match t {
                Some(t) if t.matches("{version}").count() != 1 || t.replace("{version}", "").contains(['{', '}']) => {
                    Err(value_err(
                        key,
                        format!("`{t}` must contain `{{version}}` once and no other placeholder"),
                    ))
                }
                t => Ok(t),
            }
        };
        let mut patterns = Vec::new();
        for (name, c) in user.components.unwrap_or_default() {
            let key = format!("components.{name}");
            let component = Component::named(&name).map_err(|e| value_err(&key, e.to_string()))?;
            let template = check_template(&format!("{key}.tag-template"), c.tag_template)?;
            let (pattern, tag_template) = match (c.prefix, c.pattern) {
                (Some(prefix), None) => (
                    compile(
                        &format!("{key}.prefix"),
                        &format!("^{}(?P<version>[0-9].*)$", regex::escape(&prefix)),
                    )?,
                    template.or(Some(format!("{prefix}{{version}}"))),
                ),
                (None, Some(pattern)) => (compile(&format!("{key}.pattern"), &pattern)?, template),
                _ => return Err(value_err(&key, "give exactly one of `prefix` or `pattern`".into())),
            };
            patterns.push(ComponentPattern {
                component,
                pattern,
                tag_template,
            });
        }
        let default_pattern = pick(ur.pattern, dr.pattern);
        if !default_pattern.is_empty() {
            let tag_template = check_template("release.tag-template", ur.tag_template.or(dr.tag_template))?;
            patterns.push(ComponentPattern {
                component: Component::DEFAULT,
                pattern: compile("release.pattern", &default_pattern)?,
                tag_template,
            });
        }
        if patterns.is_empty() {
            return Err(value_err(
                "release.pattern",
                "is empty and no component is configured: nothing could be a release".into(),
            ));
        }

        let raw_envs = user.environments.or(defaults.environments).expect("default present");
        let (environments, env_settings) = environments::parse(raw_envs, path, &value_err)?;
        let allow = user.policy.and_then(|p| p.allow).unwrap_or_default();
        for a in &allow {
            globset::Glob::new(a).map_err(|e| value_err("policy.allow", format!("`{a}`: {}", e.kind())))?;
        }
        let (ub, db) = (user.branches.unwrap_or_default(), defaults.branches.unwrap_or_default());
        let branches = BranchTemplates {
            rollback: pick(ub.rollback, db.rollback),
            restore: pick(ub.restore, db.restore),
            hotfix: pick(ub.hotfix, db.hotfix),
        };
        for (key, t) in [
            ("branches.rollback", &branches.rollback),
            ("branches.restore", &branches.restore),
            ("branches.hotfix", &branches.hotfix),
        ] {
            check_placeholders(t, &["from", "to", "env", "tag"]).map_err(|m| value_err(key, m))?;
            if t.is_empty() || t.starts_with("refs/") {
                return Err(value_err(
                    key,
                    format!("`{t}` must be a branch name such as rollback/{{from}}"),
                ));
            }
        }

        let template = |kind: RecordKind, u: Option<String>, d: Option<String>| -> Result<Template, ConfigError> {
            Template::record(kind, &pick(u, d)).map_err(|source| ConfigError::Template {
                path: shown.clone(),
                key: format!("records.{}", kind.as_str()),
                source,
            })
        };
        let records = RecordTemplates {
            deploy: template(RecordKind::Deploy, urec.deploy, drec.deploy)?,
            rollback: template(RecordKind::Rollback, urec.rollback, drec.rollback)?,
            restore: template(RecordKind::Restore, urec.restore, drec.restore)?,
            drill: template(RecordKind::Drill, urec.drill, drec.drill)?,
        };

        let globs = |key: &str, u: Option<Vec<String>>, d: Option<Vec<String>>| -> Result<Globs, ConfigError> {
            let patterns = u.or(d).unwrap_or_default();
            let (mut builder, mut exclude) = (globset::GlobSetBuilder::new(), globset::GlobSetBuilder::new());
            for p in &patterns {
                let (negated, text) = match p.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, p.as_str()),
                };
                let glob = globset::GlobBuilder::new(text)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| ConfigError::Glob {
                        path: shown.clone(),
                        key: key.to_owned(),
                        value: p.clone(),
                        message: e.kind().to_string(),
                    })?;
                if negated {
                    exclude.add(glob);
                } else {
                    builder.add(glob);
                }
            }
            let set = builder.build().map_err(|e| value_err(key, e.to_string()))?;
            let exclude = exclude.build().map_err(|e| value_err(key, e.to_string()))?;
            Ok(Globs { patterns, set, exclude })
        };

        let remote = pick(user.remote, defaults.remote);
        if remote.is_empty() || remote.starts_with('-') {
            return Err(value_err("remote", format!("`{remote}` is not a remote name")));
        }
        let release_branches = user.release_branches.unwrap_or_default();
        for b in &release_branches {
            globset::Glob::new(b).map_err(|e| ConfigError::Glob {
                path: shown.clone(),
                key: "release-branches".into(),
                value: b.clone(),
                message: e.kind().to_string(),
            })?;
        }
        let drill = {
            let (u, d) = (user.drill.unwrap_or_default(), defaults.drill.unwrap_or_default());
            let command = |key: &str, v| placeholders::command(v).map_err(|m| value_err(key, m));
            let timeout = u.timeout.or(d.timeout).expect("default present");
            if timeout == 0 {
                return Err(value_err("drill.timeout", "must be at least 1 (seconds)".into()));
            }
            DrillCommands {
                test_cmd: command("drill.test-cmd", u.test_cmd.or(d.test_cmd))?,
                migrate_down: command("drill.migrate-down", u.migrate_down.or(d.migrate_down))?,
                migrate_up: command("drill.migrate-up", u.migrate_up.or(d.migrate_up))?,
                timeout,
            }
        };
        Ok(Config {
            env_settings,
            allow,
            branches,
            source: path.map(Path::to_path_buf),
            production_branch: user.production_branch.filter(|b| !b.is_empty()),
            remote,
            release_branches,
            scheme: ReleaseScheme { patterns },
            environments,
            records,
            migrations: globs("paths.migrations", up.migrations, dp.migrations)?,
            config_paths: globs("paths.config", up.config, dp.config)?,
            external_config: globs("paths.external-config", up.external_config, dp.external_config)?,
            bookkeeping: globs("paths.bookkeeping", up.bookkeeping, dp.bookkeeping)?,
            keep_ours: user
                .revert
                .as_ref()
                .and_then(|r| r.keep_ours)
                .or(defaults.revert.as_ref().and_then(|r| r.keep_ours))
                .unwrap_or(false),
            checks: {
                let c = user.checks.unwrap_or_default();
                CheckOverrides {
                    warn_only: c.warn_only.unwrap_or_default(),
                    skip: c.skip.unwrap_or_default(),
                }
            },
            drill,
        })
    }

    /// A component by name (`None` names the default component).
    pub fn component(&self, name: Option<&str>) -> Option<&Component> {
        self.scheme.components().find(|c| c.name() == name)
    }

    /// The tag name for a new release of `component`, if the component has a tag template.
    pub fn release_tag_name(&self, component: &Component, version: &crate::model::Version) -> Option<String> {
        let p = self.scheme.patterns.iter().find(|p| &p.component == component)?;
        Some(p.tag_template.as_ref()?.replace("{version}", &version.to_string()))
    }

    /// The settings of `env` (`None` for an environment known only from records).
    pub fn env_settings(&self, env: &EnvName) -> Option<&EnvSettings> {
        self.env_settings.iter().find(|s| &s.name == env)
    }

    /// The rollback command configured for `env` (the command driver's).
    pub fn rollback_command(&self, env: &EnvName) -> Option<&str> {
        match self.env_settings(env)?.driver.as_ref()? {
            Driver::Command { rollback, .. } => rollback.as_deref(),
            Driver::Symlink { .. } => None,
        }
    }

    /// Whether `who` may tag, deploy and record deploys (`[policy] allow`).
    pub fn allows(&self, who: &crate::model::Person) -> bool {
        self.allow.is_empty()
            || self.allow.iter().any(|g| {
                // Emails compare without case, as mail systems do.
                globset::GlobBuilder::new(g)
                    .case_insensitive(true)
                    .build()
                    .is_ok_and(|g| {
                        let m = g.compile_matcher();
                        m.is_match(&who.email) || m.is_match(who.to_string())
                    })
            })
    }

    /// Whether `branch` is one releases and deploys may come from.
    pub fn is_release_branch(&self, branch: &str, production: Option<&str>) -> bool {
        if self.release_branches.is_empty() {
            return Some(branch) == production || branch.starts_with("hotfix/");
        }
        self.release_branches.iter().any(|g| {
            globset::GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .is_ok_and(|g| g.compile_matcher().is_match(branch))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TagClass;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("rollback.toml"))
    }

    #[test]
    fn default_config_globs_take_configuration_not_docs_translations_or_sources() {
        let c = Config::defaults();
        for yes in [
            "config/app.toml",
            "config/database.yml",
            "services/api/config/settings.json",
            "conf/nginx.conf",
            ".env",
            ".env.production",
            "deploy/prod.env",
            "config.yaml",
            "appsettings.Production.json",
            "shop/settings.py",
            "src/main/resources/application-prod.yml",
        ] {
            assert!(c.config_paths.is_match(yes), "{yes}");
        }
        for no in [
            "Documentation/config/am.adoc",
            "config/locales/en.yml",
            "app/config/i18n/de.json",
            "config/initializers/cors.rb",
            "config/logo.png",
            "src/config/mod.rs",
            "README.md",
            "Cargo.toml",
        ] {
            assert!(!c.config_paths.is_match(no), "{no}");
        }
        let excluded = parse("[paths]\nconfig = ['config/**', '!config/generated/**']\n").unwrap();
        assert!(excluded.config_paths.is_match("config/a.rb"));
        assert!(!excluded.config_paths.is_match("config/generated/a.yml"));
    }

    #[test]
    fn the_defaults_need_no_file() {
        let c = Config::defaults();
        assert_eq!(c.remote, "origin");
        assert_eq!(c.environments, vec![EnvName::parse("production").unwrap()]);
        assert!(matches!(c.scheme.classify("v1.2.3"), TagClass::Release { .. }));
        assert!(matches!(c.scheme.classify("1.2.3-rc.1"), TagClass::Release { .. }));
        assert_eq!(c.scheme.classify("release-1"), TagClass::Other);
        assert!(c.migrations.is_match("db/migrate/20240101_add.rb"));
        assert!(c.migrations.is_match("migrations/0001_init.up.sql"));
        assert!(c.config_paths.is_match("config/app.toml"));
        assert!(!c.config_paths.is_match("src/main.rs"));
    }

    #[test]
    fn components_and_environments_are_read_in_order() {
        let c = parse(
            "production-branch = 'trunk'\n[components.api]\nprefix = 'api-v'\n[components.web]\npattern = '^web/v(?P<version>.+)$'\n[environments.staging]\n[environments.production]\n",
        )
        .unwrap();
        assert_eq!(c.production_branch.as_deref(), Some("trunk"));
        let names: Vec<_> = c.environments.iter().map(|e| e.as_str()).collect();
        assert_eq!(names, ["staging", "production"]);
        assert!(
            matches!(c.scheme.classify("api-v1.0.0"), TagClass::Release { component, .. } if component.name() == Some("api"))
        );
        assert!(
            matches!(c.scheme.classify("web/v2.0.0"), TagClass::Release { component, .. } if component.name() == Some("web"))
        );
        assert!(
            matches!(c.scheme.classify("v3.0.0"), TagClass::Release { component, .. } if component.name().is_none())
        );
    }

    #[test]
    fn tag_templates_and_release_branches() {
        let c = parse("release-branches = ['main', 'release/*']\n[components.api]\nprefix = 'api-v'\n[components.web]\npattern = '^web/v(?P<version>.+)$'\n").unwrap();
        let v = crate::model::Version::parse("1.2.3").unwrap();
        assert_eq!(
            c.release_tag_name(c.component(Some("api")).unwrap(), &v).as_deref(),
            Some("api-v1.2.3")
        );
        assert_eq!(c.release_tag_name(c.component(Some("web")).unwrap(), &v), None);
        assert_eq!(c.release_tag_name(&Component::DEFAULT, &v).as_deref(), Some("v1.2.3"));
        assert!(c.is_release_branch("release/2.x", None) && !c.is_release_branch("feature/x", Some("feature/x")));
        let d = Config::defaults();
        assert!(d.is_release_branch("main", Some("main")) && d.is_release_branch("hotfix/v1.2.4", Some("main")));
        assert!(!d.is_release_branch("feature", Some("main")));
        assert!(parse("[release]\ntag-template = 'v{ver}'\n").is_err());
    }

    #[test]
    fn commands_are_rendered_with_quoted_values() {
        let c = parse("[environments.production]\nrollback-command = \"deploy --to {to} --why {reason}\"\n").unwrap();
        let cmd = c.rollback_command(&EnvName::parse("production").unwrap()).unwrap();
        let out = render_placeholders(
            cmd,
            &[("to", "v1.2.0"), ("reason", "it's broken; rm -rf / $(id)")],
            true,
        );
        assert_eq!(out, "deploy --to 'v1.2.0' --why 'it'\\''s broken; rm -rf / $(id)'");
        // A value holding a placeholder is data, not expanded again.
        let out = render_placeholders("a {from} b {to}", &[("from", "{to}"), ("to", "x")], true);
        assert_eq!(out, "a '{to}' b 'x'");
        assert_eq!(render_placeholders("{x} {", &[], true), "{x} {");
        assert_eq!(
            render_placeholders("{{\"a\": {to}}}", &[("to", "v1")], true),
            "{\"a\": 'v1'}"
        );
        // Placeholders inside the template's own quotes would be expanded by the shell.
        for bad in ["echo \"why: {reason}\"", "echo 'x {to}'"] {
            let e = parse(&format!("[environments.p]\ndeploy-command = '''{bad}'''\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains("inside quotes"), "{bad}: {e}");
        }
        assert!(parse("[environments.p]\ndeploy-command = '''echo \"a\" {to} 'b' {{x}}'''\n").is_ok());
        let e = parse("[environments.p.symlink]\nroot = '/srv'\ncheck = 'test {release}'\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("symlink.check"), "{e}");
        assert!(parse("[environments.production]\nrollback-command = 'x {nope}'\n").is_err());
        assert!(parse("[branches]\nrollback = 'rb/{bogus}'\n").is_err());
        assert_eq!(Config::defaults().branches.hotfix, "hotfix/{tag}");
    }

    #[test]
    fn errors_name_the_key_and_the_file() {
        let e = parse("colour = 'red'\n").unwrap_err().to_string();
        assert!(e.contains("rollback.toml") && e.contains("colour"), "{e}");
        let e = parse("[release]\npattern = '(unclosed'\n").unwrap_err().to_string();
        assert!(e.contains("release.pattern"), "{e}");
        let e = parse("[release]\npattern = '^v.*$'\n").unwrap_err().to_string();
        assert!(e.contains("named group `version`"), "{e}");
        let e = parse("[records]\ndeploy = 'deploy/{release}'\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("records.deploy"), "{e}");
        let e = parse("[environments.'prod env']\n").unwrap_err().to_string();
        assert!(e.contains("environments.prod env"), "{e}");
        let e = parse("[paths]\nconfig = ['[oops']\n").unwrap_err().to_string();
        assert!(e.contains("paths.config"), "{e}");
        let e = parse("[components.api]\n").unwrap_err().to_string();
        assert!(e.contains("exactly one"), "{e}");
        assert!(parse("this is not toml").is_err());
    }
}
