//! Running another program and reading what it prints, within limits: a
//! time limit, a size limit, and an end to whatever it started. The
//! helper commands (`--mfa-command`, `AWSCREDS_PASSPHRASE_COMMAND`) and
//! doctor's run of a credential_process line go through here, so that no
//! command can make awscreds-rs wait for ever or grow without end.
//!
//! On Unix the program runs in a process group of its own, and every end
//! other than its own exit stops that whole group: `sh -c "sleep 9 & sleep
//! 9"` leaves no sleep behind. On Linux the kernel also stops the program
//! when awscreds-rs dies first (`PR_SET_PDEATHSIG`), and a SIGINT, SIGTERM
//! or SIGHUP to awscreds-rs stops the whole group (`interrupt.rs`); only
//! after a SIGKILL can what the program started itself live on. Both pipes are read
//! while the program runs, so one that fills its stderr does not block.
//! A program that exits while something it started still holds its
//! stdout is done: what it printed is read for a moment more, then its
//! group is stopped. On Windows the program alone is stopped.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// How long a program's stdout is still read after the program itself
/// exited (a background child of its own may hold it open).
const AFTER_EXIT: Duration = Duration::from_millis(200);

/// What a program may take.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub time: Duration,
    /// The most bytes read from each of stdout and stderr.
    pub bytes: usize,
}

/// A program that ended on its own, and what it printed.
pub struct Finished {
    pub status: ExitStatus,
    /// It may hold a secret: wiped on drop.
    pub stdout: Zeroizing<Vec<u8>>,
    /// Empty unless stderr was asked for.
    pub stderr: Vec<u8>,
}

/// How a run ended.
pub enum Outcome {
    Finished(Finished),
    /// It ran past `Limits::time` and was stopped.
    TimedOut,
    /// It printed more than `Limits::bytes` and was stopped.
    TooLong,
}

#[derive(Clone, Copy, PartialEq)]
enum Pipe {
    Out,
    Err,
}

enum Event {
    Data(Pipe, Zeroizing<Vec<u8>>),
    End,
}

/// Runs `cmd` with stdin from /dev/null, reads its stdout (and its
/// stderr when `stderr` is true; else stderr is the user's), and ends it
/// at the limits. An error is a program that could not start.
pub fn run(mut cmd: Command, limits: Limits, stderr: bool) -> std::io::Result<Outcome> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped());
    cmd.stderr(if stderr {
        Stdio::piped()
    } else {
        Stdio::inherit()
    });
    own_group(&mut cmd);
    let mut child = cmd.spawn()?;
    // Ctrl-C or SIGTERM while it runs stops its whole group too.
    let _group = crate::interrupt::Group::guard(child.id());
    let (send, reads) = mpsc::channel();
    let mut open = 0;
    if let Some(out) = child.stdout.take() {
        open += 1;
        reader(out, Pipe::Out, send.clone());
    }
    if let Some(err) = child.stderr.take() {
        open += 1;
        reader(err, Pipe::Err, send.clone());
    }
    drop(send);
    let deadline = Instant::now() + limits.time;
    let mut stdout = Zeroizing::new(Vec::new());
    let mut stderr = Vec::new();
    let mut exited: Option<(ExitStatus, Instant)> = None;
    loop {
        match reads.recv_timeout(Duration::from_millis(10)) {
            Ok(Event::Data(pipe, bytes)) => {
                let into: &mut Vec<u8> = if pipe == Pipe::Out {
                    &mut stdout
                } else {
                    &mut stderr
                };
                if into.len() + bytes.len() > limits.bytes {
                    stop(&mut child);
                    return Ok(Outcome::TooLong);
                }
                into.extend_from_slice(&bytes);
            }
            Ok(Event::End) => open -= 1,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => open = 0,
        }
        if exited.is_none() {
            if let Some(status) = child.try_wait()? {
                exited = Some((status, Instant::now()));
            }
        }
        match exited {
            Some((status, _)) if open == 0 => {
                return Ok(Outcome::Finished(Finished {
                    status,
                    stdout,
                    stderr,
                }))
            }
            Some((status, at)) if at.elapsed() > AFTER_EXIT => {
                // What it left behind holds the pipe: stop it and keep
                // what was printed.
                stop_group(&child);
                return Ok(Outcome::Finished(Finished {
                    status,
                    stdout,
                    stderr,
                }));
            }
            _ => {}
        }
        if Instant::now() > deadline {
            stop(&mut child);
            return Ok(Outcome::TimedOut);
        }
    }
}

fn reader(mut pipe: impl Read + Send + 'static, which: Pipe, send: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        let mut buf = Zeroizing::new([0u8; 8192]);
        loop {
            match pipe.read(&mut buf[..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if send
                        .send(Event::Data(which, Zeroizing::new(buf[..n].to_vec())))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        let _ = send.send(Event::End);
    });
}

/// Stops the program and its group, and reaps it.
fn stop(child: &mut Child) {
    stop_group(child);
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(unix)]
fn own_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    #[cfg(target_os = "linux")]
    // SAFETY: prctl is async-signal-safe and touches only the new
    // process's own attributes.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn own_group(_cmd: &mut Command) {}

#[cfg(unix)]
fn stop_group(child: &Child) {
    // The group is the program's pid (`process_group(0)`); the id stays
    // the group's while any member lives, so it names no other process.
    if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: killpg takes plain integers.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn stop_group(_child: &Child) {}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        cmd
    }

    const LIMITS: Limits = Limits {
        time: Duration::from_secs(5),
        bytes: 1 << 16,
    };

    #[test]
    fn a_program_that_ends_gives_its_output_and_status() {
        let Outcome::Finished(done) =
            run(sh("echo out; echo err >&2; exit 3"), LIMITS, true).unwrap()
        else {
            panic!("did not finish")
        };
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(&done.stdout[..], b"out\n");
        assert_eq!(done.stderr, b"err\n");
    }

    #[test]
    fn a_full_stderr_does_not_block() {
        let script = "head -c 300000 /dev/zero >&2; echo out";
        let limits = Limits {
            bytes: 1 << 20,
            ..LIMITS
        };
        let Outcome::Finished(done) = run(sh(script), limits, true).unwrap() else {
            panic!("did not finish")
        };
        assert_eq!(done.stderr.len(), 300000);
        assert_eq!(&done.stdout[..], b"out\n");
    }

    #[test]
    fn too_slow_and_too_long_are_stopped() {
        let slow = Limits {
            time: Duration::from_millis(300),
            ..LIMITS
        };
        let start = Instant::now();
        assert!(matches!(
            run(sh("sleep 30"), slow, false).unwrap(),
            Outcome::TimedOut
        ));
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(matches!(
            run(sh("yes"), LIMITS, false).unwrap(),
            Outcome::TooLong
        ));
    }

    #[test]
    fn a_background_child_holding_stdout_does_not_block() {
        let start = Instant::now();
        let Outcome::Finished(done) = run(sh("echo line; sleep 30 &"), LIMITS, false).unwrap()
        else {
            panic!("did not finish")
        };
        assert!(done.status.success());
        assert_eq!(&done.stdout[..], b"line\n");
        assert!(start.elapsed() < Duration::from_secs(10));
    }
}
