//! Key rotation: replace NAME's long-term key with a new one so that the
//! user is never left without a working key. The order is the whole point:
//!
//! 1. IAM CreateAccessKey for the key's own user (signed from one MFA
//!    session when NAME has an MFA device);
//! 2. wait until AWS accepts the new key (IAM is eventually consistent:
//!    for some seconds a new key is refused), retrying when STS throttles;
//!    meanwhile the old key is still the stored one, so the tools that
//!    call credential_process keep working;
//! 3. only then is the new key stored, and read back, under NAME;
//! 4. DeleteAccessKey of the old key, signed with the new key, or with the
//!    same MFA session, so a rotation asks one code, never two;
//! 5. NAME's cached sessions are dropped.
//!
//! A failure says exactly what remains to do; a stop at any point leaves a
//! stored key that IAM accepts. A stop between 1 and 3 leaves the new key
//! in IAM unstored: the next rotation's "two access keys" message names it.

use std::time::Duration;

use time::OffsetDateTime;

use crate::context::Env;
use crate::credentials::{mask_access_key_id, Credentials};
use crate::error::{Error, Result};
use crate::renew::Clock;
use crate::session::{self, Sts};
use crate::store::Store;
use crate::wiring::Options;

/// How long to wait for IAM to accept a new key.
pub const WAIT_FOR_NEW_KEY: Duration = Duration::from_secs(30);

/// The IAM calls a rotation makes, and STS's word on whether a key works.
/// `user` is the IAM user the key belongs to (`None`: the signer's own,
/// as for an account's root user).
pub trait Iam {
    /// The IAM user a key belongs to, from STS GetCallerIdentity; `None`
    /// for an account's root user.
    fn user_name(&self, key: &Credentials) -> Result<Option<String>>;
    /// CreateAccessKey; `None` when IAM refuses because the user has two
    /// keys already.
    fn create_access_key(
        &self,
        signer: &Credentials,
        user: Option<&str>,
    ) -> Result<Option<Credentials>>;
    /// The user's access keys, with their creation dates.
    fn access_keys(
        &self,
        signer: &Credentials,
        user: Option<&str>,
    ) -> Result<Vec<(String, Option<OffsetDateTime>)>>;
    fn delete_access_key(&self, signer: &Credentials, user: Option<&str>, id: &str) -> Result<()>;
    /// Whether AWS accepts `key` (STS GetCallerIdentity): `false` for a key
    /// it does not know, an error when it cannot be asked.
    fn accepts(&self, key: &Credentials) -> Result<bool>;
}

/// A step of the rotation, reported as it happens.
pub enum Step<'a> {
    Session(&'a str),
    Creating,
    Created(&'a str),
    Stored,
    Waiting,
    Working,
    Deleting(&'a str),
    Deleted,
    SessionsDropped(usize),
}

impl Step<'_> {
    /// The progress line for stderr.
    pub fn line(&self) -> String {
        match self {
            Step::Session(serial) => {
                format!("Opening one MFA session ({serial}) for the whole rotation...")
            }
            Step::Creating => "Creating a new access key (IAM CreateAccessKey)...".into(),
            Step::Created(id) => format!("Created the new key {}.", mask_access_key_id(id)),
            Step::Stored => "Stored the new key and read it back.".into(),
            Step::Waiting => format!(
                "Waiting until AWS accepts the new key (up to {} s)...",
                WAIT_FOR_NEW_KEY.as_secs()
            ),
            Step::Working => "AWS accepts the new key.".into(),
            Step::Deleting(id) => format!(
                "Deleting the old key {} (IAM DeleteAccessKey)...",
                mask_access_key_id(id)
            ),
            Step::Deleted => "Deleted the old key.".into(),
            Step::SessionsDropped(n) => format!("Dropped {n} cached session(s) of the old key."),
        }
    }

    /// The name a test's fault injection stops after, for the steps that
    /// change something.
    pub fn id(&self) -> Option<&'static str> {
        match self {
            Step::Created(_) => Some("created"),
            Step::Stored => Some("stored"),
            Step::Working => Some("working"),
            Step::Deleted => Some("deleted"),
            _ => None,
        }
    }
}

/// What a rotation did.
pub struct Rotated {
    pub old_id: String,
    pub new_id: String,
}

/// The command that deletes a key by hand.
fn delete_command(id: &str) -> String {
    format!("aws iam delete-access-key --access-key-id {id} (with a profile that uses this NAME)")
}

/// Rotates NAME's stored long-term key.
#[allow(clippy::too_many_arguments)]
pub fn rotate(
    env: &Env,
    store: &Store,
    name: &str,
    options: &Options,
    sts: &dyn Sts,
    iam: &dyn Iam,
    clock: &dyn Clock,
    report: &mut dyn FnMut(Step),
) -> Result<Rotated> {
    let now = clock.now();
    let old = rotatable(store, name, options, clock)?;
    let old_id = old.access_key_id.clone();
    // Signed by an MFA session, IAM is told whose keys to change: the
    // user of the stored key (STS GetCallerIdentity with it). Signed by the
    // key itself, the key's own user is implied.
    let user = match old.mfa_serial {
        Some(_) => iam
            .user_name(&old)
            .map_err(|e| e.context(format!("cannot rotate '{name}' (nothing was changed)")))?,
        None => None,
    };
    let user = user.as_deref();
    let session = match &old.mfa_serial {
        Some(serial) => {
            report(Step::Session(serial));
            Some(session::credentials(
                env,
                store,
                name,
                old.clone(),
                options,
                sts,
                clock,
            )?)
        }
        None => None,
    };
    let signer = session.as_ref().unwrap_or(&old);

    report(Step::Creating);
    let Some(mut new) = iam
        .create_access_key(signer, user)
        .map_err(|e| e.context(format!("cannot rotate '{name}' (nothing was changed)")))?
    else {
        return Err(two_keys(iam, signer, user, &old_id));
    };
    let new_id = new.access_key_id.clone();
    report(Step::Created(&new_id));

    new.mfa_serial = old.mfa_serial.clone();
    new.created = new.created.or(Some(crate::credentials::whole_seconds(now)));
    let taken_back = Undo {
        iam,
        signer,
        user,
        old_id: &old_id,
        new_id: &new_id,
    };
    put_in_place(store, name, &new, iam, &taken_back, clock, report)?;

    let remains = |why: String| {
        Error::invalid(
            format!(
                "{why}; the new key {} is stored for '{name}', and the old key {old_id} is still active",
                mask_access_key_id(&new_id)
            ),
            format!("delete the old one: {}", delete_command(&old_id)),
        )
    };
    report(Step::Deleting(&old_id));
    let deleter = session.as_ref().unwrap_or(&new);
    iam.delete_access_key(deleter, user, &old_id)
        .map_err(|e| remains(format!("deleting the old key failed ({})", e.report())))?;
    report(Step::Deleted);

    let dropped = session::drop_sessions(store, Some(name))?;
    report(Step::SessionsDropped(dropped));
    Ok(Rotated { old_id, new_id })
}

/// The stored key of NAME, if rotate may replace it: a long-term key, and
/// for one with an MFA device, a way to ask its code (one MFA session
/// signs every IAM call: one code for the rotation).
fn rotatable(
    store: &Store,
    name: &str,
    options: &Options,
    clock: &dyn Clock,
) -> Result<Credentials> {
    let old = store.load_current(name, clock.now())?;
    if old.is_temporary() {
        return Err(Error::invalid(
            format!("'{name}' holds temporary credentials, which cannot be rotated"),
            "rotate replaces long-term keys (AKIA...); store fresh temporary credentials with add --force",
        ));
    }
    if let Some(serial) = &old.mfa_serial {
        if options.mfa_command.is_none() && !crate::ask::has_terminal() {
            return Err(Error::NoTerminal {
                to: format!("ask for the MFA code of {serial} (nothing was changed)"),
                fix: format!(
                    "run rotate on a terminal, or give the command that prints the code: {}",
                    crate::fix::rotate_with_code(name)
                ),
            });
        }
    }
    Ok(old)
}

/// Taking a new key back: until it is stored, a failure deletes it again,
/// so the user keeps one key, the old one, which still works.
struct Undo<'a> {
    iam: &'a dyn Iam,
    signer: &'a Credentials,
    user: Option<&'a str>,
    old_id: &'a str,
    new_id: &'a str,
}

impl Undo<'_> {
    /// Deletes the new key and says so after `why`.
    fn undo(&self, why: String) -> String {
        let undone = match self
            .iam
            .delete_access_key(self.signer, self.user, self.new_id)
        {
            Ok(()) => "the new key was deleted again".to_string(),
            Err(_) => format!("delete the new key: {}", delete_command(self.new_id)),
        };
        format!(
            "{why}; the old key {} stays stored and works, and {undone}",
            mask_access_key_id(self.old_id)
        )
    }
}

/// Waits until AWS accepts the new key, then stores it in place of the
/// old one; a failure of either takes the new key back.
fn put_in_place(
    store: &Store,
    name: &str,
    new: &Credentials,
    iam: &dyn Iam,
    taken_back: &Undo<'_>,
    clock: &dyn Clock,
    report: &mut dyn FnMut(Step),
) -> Result<()> {
    report(Step::Waiting);
    if let Err(why) = wait_until_accepted(iam, new, clock) {
        return Err(Error::invalid(
            taken_back.undo(why),
            "rotate again later; IAM may be slow to accept new keys",
        ));
    }
    report(Step::Working);
    if let Err(e) = store.save(name, new) {
        return Err(e.context(taken_back.undo(format!("cannot store the new key for '{name}'"))));
    }
    report(Step::Stored);
    Ok(())
}

/// Polls until AWS accepts the key, for up to [`WAIT_FOR_NEW_KEY`].
fn wait_until_accepted(
    iam: &dyn Iam,
    key: &Credentials,
    clock: &dyn Clock,
) -> std::result::Result<(), String> {
    let deadline = clock.now() + WAIT_FOR_NEW_KEY;
    loop {
        match iam.accepts(key) {
            Ok(true) => return Ok(()),
            Ok(false) if clock.now() < deadline => clock.sleep(Duration::from_secs(1)),
            // STS asks to slow down: that is no answer about the key.
            Err(e) if throttled(&e) && clock.now() < deadline => {
                clock.sleep(Duration::from_secs(1))
            }
            Ok(false) => {
                return Err(format!(
                    "AWS did not accept the new key within {} s",
                    WAIT_FOR_NEW_KEY.as_secs()
                ))
            }
            Err(e) => return Err(format!("cannot check the new key ({})", e.report())),
        }
    }
}

/// Whether AWS refused a call for its rate, not for what it asked.
fn throttled(e: &Error) -> bool {
    matches!(
        e.aws_code(),
        Some(
            "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
        )
    )
}

/// The refusal when the user has two keys: which one to delete.
fn two_keys(iam: &dyn Iam, signer: &Credentials, user: Option<&str>, stored: &str) -> Error {
    let others: Vec<String> = iam
        .access_keys(signer, user)
        .map(|keys| {
            keys.into_iter()
                .map(|(id, _)| id)
                .filter(|id| id != stored)
                .collect()
        })
        .unwrap_or_default();
    let fix = match others.as_slice() {
        [other] => format!(
            "delete the key awscreds-rs does not hold, then rotate again: {}",
            delete_command(other)
        ),
        _ => "delete the key awscreds-rs does not hold (aws iam list-access-keys shows both), then rotate again".to_string(),
    };
    Error::invalid(
        format!(
            "IAM refused a new key: the user already has two access keys, the most it allows; \
             nothing was changed (awscreds-rs holds {stored})"
        ),
        fix,
    )
}

/// The user name in an IAM user's ARN (`arn:aws:iam::123456789012:user/path/helen`);
/// `None` for anything else, such as the root user.
#[cfg_attr(not(feature = "sts"), allow(dead_code))]
pub fn user_of_arn(arn: &str) -> Option<String> {
    let resource = arn.split(':').nth(5)?;
    let path = resource.strip_prefix("user/")?;
    path.rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_changing_step_has_a_stop_and_a_line() {
        for step in [
            Step::Created("AKIAIOSFODNN7EXAMPLE"),
            Step::Stored,
            Step::Working,
            Step::Deleted,
        ] {
            assert!(step.id().is_some());
            assert!(!step.line().is_empty());
        }
        assert!(Step::Creating.id().is_none());
        assert!(!Step::Created("AKIAIOSFODNN7EXAMPLE")
            .line()
            .contains("IOSFODNN7"));
    }
}
