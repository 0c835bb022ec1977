//! Ledger records (deploy, rollback, restore): annotated tags whose trailers say what happened.
//! The format is documented in `docs/record-format.md`; this module is its one implementation.

use super::trailers::{self, Trailer};
use super::{Annotation, EnvName, Person, TagName, Timestamp};

/// The format version this build writes; records of a newer version are still read, with a warning.
pub const FORMAT_VERSION: u32 = 1;
pub const FORMAT_KEY: &str = "Git-Rollback-Format";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Deploy,
    Rollback,
    Restore,
    /// A rehearsal of a rollback (`drill --record`); it changes nothing about what is live.
    Drill,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Deploy,
        RecordKind::Rollback,
        RecordKind::Restore,
        RecordKind::Drill,
    ];

    /// The trailer that names the environment; its presence confirms the kind.
    pub fn environment_key(self) -> &'static str {
        match self {
            RecordKind::Deploy => "Deploy-Environment",
            RecordKind::Rollback => "Rollback-Environment",
            RecordKind::Restore => "Restore-Environment",
            RecordKind::Drill => "Drill-Environment",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Deploy => "deploy",
            RecordKind::Rollback => "rollback",
            RecordKind::Restore => "restore",
            RecordKind::Drill => "drill",
        }
    }
}

/// What a record says, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordDetail {
    Deploy {
        release: TagName,
        artifacts: Vec<String>,
    },
    Rollback {
        from: TagName,
        to: TagName,
        strategy: String,
        incident: Option<String>,
    },
    Restore {
        rollback: TagName,
        release: TagName,
    },
    Drill {
        from: TagName,
        to: TagName,
        strategy: String,
        passed: bool,
    },
}

/// A parsed, confirmed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub tag: TagName,
    pub kind: RecordKind,
    pub environment: EnvName,
    /// When it happened: the `Deploy-Time` trailer of a backfilled deploy, else the tagger date.
    pub time: Timestamp,
    pub by: Option<Person>,
    pub subject: String,
    /// The free text between subject and trailers (for rollbacks: the reason).
    pub body: String,
    pub trailers: Vec<Trailer>,
    pub detail: RecordDetail,
    pub format_version: u32,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("tag `{tag}` is named like a {kind} record but is not annotated")]
    NotAnnotated { tag: TagName, kind: &'static str },
    #[error("record `{tag}` lacks the `{key}` trailer")]
    MissingTrailer { tag: TagName, key: &'static str },
    #[error("record `{tag}` has an invalid `{key}` trailer: `{value}`")]
    BadTrailer {
        tag: TagName,
        key: &'static str,
        value: String,
    },
    #[error("record `{tag}` has no tagger date")]
    NoTime { tag: TagName },
    #[error("record `{tag}` names environment `{trailer}` but its tag name says `{name}`")]
    EnvironmentMismatch {
        tag: TagName,
        name: String,
        trailer: String,
    },
}

impl RecordError {
    pub fn tag(&self) -> &TagName {
        match self {
            RecordError::NotAnnotated { tag, .. }
            | RecordError::MissingTrailer { tag, .. }
            | RecordError::BadTrailer { tag, .. }
            | RecordError::NoTime { tag }
            | RecordError::EnvironmentMismatch { tag, .. } => tag,
        }
    }
}

impl Record {
    /// Confirms and parses a record from its annotation. `name_env` is the environment its tag
    /// name shows, if the name template has one; it must agree with the trailer.
    pub fn parse(
        tag: &TagName,
        kind: RecordKind,
        name_env: Option<&str>,
        annotation: Option<&Annotation>,
    ) -> Result<Record, RecordError> {
        let annotation = annotation.ok_or_else(|| RecordError::NotAnnotated {
            tag: tag.clone(),
            kind: kind.as_str(),
        })?;
        let text = annotation.text();
        let trailers = trailers::parse(&text);
        let need = |key: &'static str| -> Result<&str, RecordError> {
            trailers::find(&trailers, key)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| RecordError::MissingTrailer { tag: tag.clone(), key })
        };
        let bad = |key: &'static str, value: &str| RecordError::BadTrailer {
            tag: tag.clone(),
            key,
            value: value.to_owned(),
        };

        let env_key = kind.environment_key();
        let env_text = need(env_key)?;
        let environment = EnvName::parse(env_text).map_err(|_| bad(env_key, env_text))?;
        if let Some(name_env) = name_env
            && name_env != environment.as_str()
        {
            return Err(RecordError::EnvironmentMismatch {
                tag: tag.clone(),
                name: name_env.to_owned(),
                trailer: environment.to_string(),
            });
        }
        let format_version = match trailers::find(&trailers, FORMAT_KEY) {
            None => FORMAT_VERSION,
            Some(v) => v.parse::<u32>().map_err(|_| bad(FORMAT_KEY, v))?,
        };
        let mut time = annotation
            .time
            .ok_or_else(|| RecordError::NoTime { tag: tag.clone() })?;
        let detail = match kind {
            RecordKind::Deploy => {
                if let Some(at) = trailers::find(&trailers, "Deploy-Time") {
                    time = Timestamp::parse(at).ok_or_else(|| bad("Deploy-Time", at))?;
                }
                RecordDetail::Deploy {
                    release: TagName::new(need("Deploy-Release")?),
                    artifacts: trailers::find_all(&trailers, "Deploy-Artifact")
                        .map(str::to_owned)
                        .collect(),
                }
            }
            RecordKind::Rollback => RecordDetail::Rollback {
                from: TagName::new(need("Rollback-From")?),
                to: TagName::new(need("Rollback-To")?),
                strategy: need("Rollback-Strategy")?.to_owned(),
                incident: trailers::find(&trailers, "Rollback-Incident").map(str::to_owned),
            },
            RecordKind::Restore => RecordDetail::Restore {
                rollback: TagName::new(need("Restore-Rollback")?),
                release: TagName::new(need("Restore-Release")?),
            },
            RecordKind::Drill => RecordDetail::Drill {
                from: TagName::new(need("Drill-From")?),
                to: TagName::new(need("Drill-To")?),
                strategy: need("Drill-Strategy")?.to_owned(),
                passed: match need("Drill-Result")? {
                    "pass" => true,
                    "fail" => false,
                    other => return Err(bad("Drill-Result", other)),
                },
            },
        };
        let (subject, body) = trailers::subject_and_body(&text);
        Ok(Record {
            tag: tag.clone(),
            kind,
            environment,
            time,
            by: annotation.tagger.clone(),
            subject,
            body,
            trailers,
            detail,
            format_version,
        })
    }

    /// The release this record says is live in its environment afterwards (a drill says
    /// nothing about that).
    pub fn live_release(&self) -> Option<&TagName> {
        match &self.detail {
            RecordDetail::Deploy { release, .. } => Some(release),
            RecordDetail::Rollback { to, .. } => Some(to),
            RecordDetail::Restore { release, .. } => Some(release),
            RecordDetail::Drill { .. } => None,
        }
    }

    pub fn is_newer_format(&self) -> bool {
        self.format_version > FORMAT_VERSION
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotation(msg: &str) -> Annotation {
        Annotation {
            tagger: Some(Person {
                name: "A".into(),
                email: "a@x".into(),
            }),
            time: Some(Timestamp::utc(1_000)),
            message: msg.as_bytes().to_vec(),
        }
    }

    #[test]
    fn parses_a_deploy_record() {
        let a = annotation(
            "Deploy v1.2.3 to production\n\nCanary looked fine.\n\nDeploy-Environment: production\nDeploy-Release: v1.2.3\nDeploy-Artifact: sha256:abc\nGit-Rollback-Format: 1\n",
        );
        let r = Record::parse(
            &TagName::new("deploy/production/x"),
            RecordKind::Deploy,
            Some("production"),
            Some(&a),
        )
        .unwrap();
        assert_eq!(r.live_release().unwrap().as_str(), "v1.2.3");
        assert_eq!(r.body, "Canary looked fine.");
        assert_eq!(r.time, Timestamp::utc(1_000));
        assert!(matches!(r.detail, RecordDetail::Deploy { ref artifacts, .. } if artifacts == &["sha256:abc"]));
    }

    #[test]
    fn a_backfilled_deploy_uses_its_deploy_time() {
        let a = annotation("D\n\nDeploy-Environment: staging\nDeploy-Release: v1\nDeploy-Time: 2026-01-02T03:04:05Z\n");
        let r = Record::parse(&TagName::new("t"), RecordKind::Deploy, None, Some(&a)).unwrap();
        assert_eq!(r.time.rfc3339(), "2026-01-02T03:04:05Z");
    }

    #[test]
    fn rollback_records_need_from_to_and_strategy() {
        let tag = TagName::new("rollback/production/x");
        let ok = annotation(
            "Roll back production from v2 to v1\n\nCheckout broke.\n\nRollback-Environment: production\nRollback-From: v2\nRollback-To: v1\nRollback-Strategy: revert\nRollback-Incident: INC-7\n",
        );
        let r = Record::parse(&tag, RecordKind::Rollback, Some("production"), Some(&ok)).unwrap();
        assert_eq!(r.live_release().unwrap().as_str(), "v1");
        assert_eq!(r.body, "Checkout broke.");
        let missing = annotation("R\n\nRollback-Environment: production\nRollback-From: v2\n");
        assert!(matches!(
            Record::parse(&tag, RecordKind::Rollback, None, Some(&missing)),
            Err(RecordError::MissingTrailer { key: "Rollback-To", .. })
        ));
    }

    #[test]
    fn mismatches_and_lightweight_records_are_errors() {
        let tag = TagName::new("deploy/staging/x");
        let a = annotation("D\n\nDeploy-Environment: production\nDeploy-Release: v1\n");
        assert!(matches!(
            Record::parse(&tag, RecordKind::Deploy, Some("staging"), Some(&a)),
            Err(RecordError::EnvironmentMismatch { .. })
        ));
        assert!(matches!(
            Record::parse(&tag, RecordKind::Deploy, None, None),
            Err(RecordError::NotAnnotated { .. })
        ));
    }

    #[test]
    fn newer_format_versions_are_read_and_flagged() {
        let a = annotation("D\n\nDeploy-Environment: production\nDeploy-Release: v1\nGit-Rollback-Format: 2\n");
        assert!(
            Record::parse(&TagName::new("t"), RecordKind::Deploy, None, Some(&a))
                .unwrap()
                .is_newer_format()
        );
    }
}
