//! What the process does to itself before it reads any secret: no core
//! file may hold a key, and no other process of the same user may read
//! its memory or attach a debugger to it (what ssh-agent and gpg-agent
//! do). And a panic is one line that names no value, then exit 101.

/// Makes the process non-dumpable where the platform can:
/// - Linux: `PR_SET_DUMPABLE` 0. The kernel then writes no core file, and
///   `/proc/PID/mem`, `/proc/PID/environ` and ptrace are refused to every
///   process of the same user (root excepted). It lasts until `exec`, so
///   a helper command we start (`--mfa-command`) is an ordinary process.
/// - every Unix: the soft `RLIMIT_CORE` 0, so that no core is written even
///   where a setting would dump non-dumpable processes. The hard limit
///   stays, so a child could raise it again.
/// - Windows has no such switch for a process of its own user; the README
///   says so.
pub fn protect() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes a plain integer and touches no memory.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: both calls read or write only the struct they are given.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_CORE, &mut limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            limit.rlim_cur = 0;
            if libc::setrlimit(libc::RLIMIT_CORE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// A panic prints one line with where it happened, never its message: the
/// message of an `unwrap` can carry any value the program held. Rust's
/// runtime then ends the process with status 101, as for any panic.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "awscreds-rs: internal error{place}: a bug, please report it with the command you ran"
        );
    }));
}
