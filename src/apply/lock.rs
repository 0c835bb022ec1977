//! The per-environment lock held while a deployment driver runs: a ref
//! `refs/git-rollback/lock/<env>` created atomically (it must not exist), pointing at a blob
//! that says who holds it, since when, and for what. Two deploys or rollbacks of one
//! environment cannot overlap; a stale lock is reported and can be broken explicitly.

use crate::git::{self, GitError, Reader, RefChange};
use crate::model::{EnvName, Identity, Oid, Timestamp};

pub fn ref_name(env: &EnvName) -> String {
    format!("refs/git-rollback/lock/{env}")
}

/// Who holds a lock, as its blob says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub who: String,
    pub since: Option<Timestamp>,
    pub what: String,
    pub host: String,
    pub pid: String,
    pub id: Oid,
}

impl Holder {
    fn parse(id: Oid, text: &str) -> Holder {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
                .unwrap_or("?")
                .to_owned()
        };
        Holder {
            who: field("holder"),
            since: Timestamp::parse(&field("since")),
            what: field("what"),
            host: field("host"),
            pid: field("pid"),
            id,
        }
    }

    /// How long it has been held, in words.
    pub fn age(&self, now: Timestamp) -> String {
        match self.since {
            None => "for an unknown time".to_owned(),
            Some(t) => format!("for {}", t.span_to(now)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{env} is locked by {} on {} since {} ({}): {}", holder.who, holder.host, holder.since.map_or("?".into(), |t| t.rfc3339()), holder.pid, holder.what)]
    Held {
        env: EnvName,
        holder: Box<Holder>,
        /// When it was found held (for its age).
        now: Timestamp,
    },
    #[error(transparent)]
    Git(#[from] GitError),
}

/// A held lock; released by `release` (or, best effort, when dropped).
pub struct EnvLock<'r> {
    reader: &'r Reader,
    who: Identity,
    name: String,
    id: Oid,
    released: bool,
    /// The holder whose lock this one took over because its process is gone from this host.
    pub took_over: Option<Holder>,
}

impl Holder {
    /// Whether the holder's process ran on this host and no longer does (only where the system
    /// can say: a Linux `/proc`). Its lock is then a leftover of a killed run.
    fn gone(&self) -> bool {
        let proc_ = std::path::Path::new("/proc");
        self.host == host()
            && proc_.join("self").exists()
            && self
                .pid
                .parse::<u32>()
                .is_ok_and(|pid| pid != std::process::id() && !proc_.join(pid.to_string()).exists())
    }
}

/// The lock of `env`, if someone holds it.
pub fn holder(reader: &Reader, env: &EnvName) -> Result<Option<Holder>, GitError> {
    let Some(id) = reader.ref_value(&ref_name(env))? else {
        return Ok(None);
    };
    let text = reader.read_blob(&id).map(|b| String::from_utf8_lossy(&b).into_owned());
    Ok(Some(Holder::parse(id, &text.unwrap_or_default())))
}

fn host() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".to_owned())
}

/// Takes the lock of `env` for `what`. A lock someone holds is refused with its holder, unless
/// `break_lock` names it as stale, or its holder ran on this host and its process is gone (a
/// killed run's leftover, reported in `took_over`): then it is taken over (compare-and-swap on
/// its value).
pub fn acquire<'r>(
    reader: &'r Reader,
    who: &Identity,
    env: &EnvName,
    what: &str,
    break_lock: bool,
) -> Result<EnvLock<'r>, LockError> {
    let name = ref_name(env);
    let text = format!(
        "holder: {}\nsince: {}\nhost: {}\npid: {}\nwhat: {}\n",
        who.person,
        who.time.rfc3339(),
        host(),
        std::process::id(),
        what.replace('\n', " ")
    );
    let id = reader.write_blob(text.as_bytes())?;
    let mut took_over = None;
    let change = match holder(reader, env)? {
        Some(h) if !break_lock && !h.gone() => {
            return Err(LockError::Held {
                env: env.clone(),
                holder: Box::new(h),
                now: who.time,
            });
        }
        Some(h) => {
            let old = h.id;
            if !break_lock {
                took_over = Some(h);
            }
            RefChange::Update {
                name: name.clone(),
                old,
                new: id,
            }
        }
        None => RefChange::Create {
            name: name.clone(),
            new: id,
        },
    };
    git::apply_refs(reader, who, &[change], &format!("git-rollback: lock {env}: {what}")).map_err(|e| match e {
        // Someone took it between our read and our write.
        GitError::RefExists { .. } | GitError::RefMoved { .. } | GitError::Locked { .. } => match holder(reader, env) {
            Ok(Some(h)) => LockError::Held {
                env: env.clone(),
                holder: Box::new(h),
                now: who.time,
            },
            _ => LockError::Git(e),
        },
        e => LockError::Git(e),
    })?;
    Ok(EnvLock {
        reader,
        who: who.clone(),
        name,
        id,
        released: false,
        took_over,
    })
}

impl EnvLock<'_> {
    /// Says whose leftover lock this one took over, if any.
    pub fn took_over_note(&self) -> Option<String> {
        self.took_over.as_ref().map(|h| {
            format!(
                "took over the lock {} left ({}, pid {} on this host, which is no longer running)",
                h.who, h.what, h.pid
            )
        })
    }

    /// Deletes the lock ref, if it still holds our value.
    fn delete(&self) -> Result<(), GitError> {
        let change = RefChange::Delete {
            name: self.name.clone(),
            old: self.id,
        };
        git::apply_refs(self.reader, &self.who, &[change], "git-rollback: unlock")
    }

    /// Releases the lock (only if it is still ours).
    pub fn release(mut self) -> Result<(), GitError> {
        self.released = true;
        self.delete()
    }
}

impl Drop for EnvLock<'_> {
    fn drop(&mut self) {
        if !self.released {
            let _ = self.delete();
        }
    }
}
