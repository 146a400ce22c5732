//! `awscreds-rs unlock [--for DURATION]`, `lock` and `passwd`: the
//! passphrase of the encrypted file store, asked once per boot.

use crate::context::Env;
use crate::error::{Error, Result};
use crate::store::file::unlocked::MAX_SECONDS;
use crate::store::file::{FileBackend, Unlocked};

pub fn unlock(duration: Option<&str>) -> Result<()> {
    let seconds = duration
        .map(crate::duration::parse)
        .transpose()
        .map_err(|e| Error::BadValue {
            of: "--for",
            value: None,
            rule: e,
        })?;
    if let Some(secs) = seconds.filter(|&s| s > MAX_SECONDS) {
        return Err(Error::BadValue {
            of: "--for",
            value: None,
            rule: format!(
                "{secs} seconds is longer than the kernel keyring keeps a key \
                 (at most {MAX_SECONDS} seconds, about 136 years); leave --for out to keep it \
                 until it goes unused for 12 hours"
            ),
        });
    }
    if FileBackend::open(&Env::process())?.unlock(seconds)? == Unlocked::Already {
        crate::say!(
            "The encrypted file store is unlocked already; nothing was asked. \
             `{} --for DURATION` keeps it for that long from now, `{}` locks it.",
            crate::fix::unlock(),
            crate::fix::lock()
        );
        return Ok(());
    }
    let until = match seconds {
        Some(secs) => format!("for {}", crate::duration::describe(secs)),
        None => format!(
            "until it goes unused for {}, reboot or `{}`",
            crate::duration::describe(crate::store::file::unlocked::IDLE.as_secs()),
            crate::fix::lock()
        ),
    };
    crate::say!("Unlocked the encrypted file store {until}.");
    Ok(())
}

pub fn lock() -> Result<()> {
    if FileBackend::open(&Env::process())?.lock()? {
        crate::say!("Locked the encrypted file store: the next read asks for its passphrase.");
    } else {
        crate::say!("The encrypted file store was not unlocked; nothing to do.");
    }
    Ok(())
}

pub fn passwd() -> Result<()> {
    FileBackend::open(&Env::process())?.passwd()?;
    crate::say!("Changed the passphrase of the encrypted file store.");
    Ok(())
}
