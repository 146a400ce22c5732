//! Asking the user for something short: the first line a helper command
//! prints (`--mfa-command`, `AWSCREDS_PASSPHRASE_COMMAND`), or a line typed
//! on the terminal. The terminal is `/dev/tty`, which works even when an
//! AWS SDK has captured stdin and stdout. Nothing here waits when there is
//! nobody to ask: without a terminal the answer is `None` at once.

use std::io::{BufRead, BufReader, Write};
use std::process::Command;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::child::{self, Limits, Outcome};
use crate::error::{Error, HelperFailure, Result};

/// What a helper command may take: a minute (a password manager may ask
/// its user first) and 64 KiB of output.
pub const COMMAND_LIMITS: Limits = Limits {
    time: Duration::from_secs(60),
    bytes: 64 * 1024,
};

/// `command` run by the platform's shell: `sh -c`, or on Windows `cmd /S /C
/// "command"`, handed over as written (std's quoting of an argument, made
/// for the C runtime, would leave cmd a `\"` for each `"` in the command).
fn shell_command(command: &str) -> Command {
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        let mut c = Command::new("cmd");
        c.raw_arg(format!("/S /C \"{command}\""));
        c
    }
    #[cfg(not(windows))]
    {
        let mut c = Command::new("sh");
        c.args(["-c", command]);
        c
    }
}

/// Runs `command` through the platform shell, as the AWS SDKs run
/// credential_process, and returns the first line of its stdout. `what`
/// names the command in errors (`--mfa-command`); `env` is added to its
/// environment. It runs within `COMMAND_LIMITS` (`child.rs`), and a first
/// line that is empty is an error, not an answer.
pub fn command_line(
    command: &str,
    what: &str,
    env: &[(&str, String)],
) -> Result<Zeroizing<String>> {
    let mut cmd = shell_command(command);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let failed = |failure| {
        Err(Error::Helper {
            what: what.to_string(),
            failure,
        })
    };
    let out = match child::run(cmd, COMMAND_LIMITS, false)
        .map_err(|e| Error::io(format!("cannot run {what}"), e))?
    {
        Outcome::Finished(out) => out,
        Outcome::TimedOut => return failed(HelperFailure::TimedOut(COMMAND_LIMITS.time.as_secs())),
        Outcome::TooLong => return failed(HelperFailure::TooLong(COMMAND_LIMITS.bytes / 1024)),
    };
    if !out.status.success() {
        return failed(HelperFailure::Failed(out.status));
    }
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_string();
    if first.is_empty() {
        return failed(HelperFailure::Silent);
    }
    Ok(Zeroizing::new(first))
}

/// Whether a terminal is there to ask.
pub fn has_terminal() -> bool {
    if cfg!(unix) {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    } else {
        // The console itself, not stdin, which the SDKs capture.
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("CONIN$")
            .is_ok()
    }
}

/// Tells the user at the terminal what a wait is for ("Unlocking…"), on
/// the terminal the question was asked on; nothing without one.
pub fn tell(line: &str) {
    if !has_terminal() {
        return;
    }
    let path = if cfg!(unix) { "/dev/tty" } else { "CONOUT$" };
    if let Ok(tty) = std::fs::OpenOptions::new().write(true).open(path) {
        let mut writer = &tty;
        let _ = writeln!(writer, "{}", crate::stdio::terminal_safe(line));
    }
}

/// Asks on the terminal and returns the line typed, without its newline;
/// `hidden` turns echo off (passphrases). `None` when there is no terminal.
pub fn terminal(prompt: &str, hidden: bool) -> Result<Option<Zeroizing<String>>> {
    if !has_terminal() {
        return Ok(None);
    }
    let fail = |e| Error::io("cannot read from the terminal", e);
    // Windows has no /dev/tty: its console prompt (no echo) serves both.
    let line = if hidden || cfg!(not(unix)) {
        // Ctrl-C at the prompt gives the terminal its echo back.
        let _terminal = crate::interrupt::Terminal::guard();
        Zeroizing::new(rpassword::prompt_password(prompt).map_err(fail)?)
    } else {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .map_err(fail)?;
        let mut writer = &tty;
        write!(writer, "{prompt}").map_err(fail)?;
        let mut line = Zeroizing::new(String::new());
        BufReader::new(&tty).read_line(&mut line).map_err(fail)?;
        line
    };
    Ok(Some(Zeroizing::new(
        line.trim_end_matches(['\r', '\n']).to_string(),
    )))
}
