//! What the process does to itself before it reads any secret: no core
//! file may hold a key, and no other process of the same user may read
//! its memory or attach a debugger to it (what ssh-agent and gpg-agent
//! do). And a panic is one line that names no value, then exit 101.

/// The soft core-file limit the process started with, given back to the
/// commands `exec` runs (a child inherits the lowered one otherwise).
#[cfg(unix)]
static STARTING_CORE_LIMIT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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
            // rlim_t is u64 on Linux and macOS, i64 on the BSDs.
            #[allow(clippy::unnecessary_cast)]
            let start = limit.rlim_cur as u64;
            STARTING_CORE_LIMIT.store(start, std::sync::atomic::Ordering::SeqCst);
            limit.rlim_cur = 0;
            if libc::setrlimit(libc::RLIMIT_CORE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// Puts the soft core-file limit back as the process found it, for a
/// command about to be executed (the process itself holds no key then, or
/// this runs in the child between fork and exec). Only async-signal-safe
/// calls, so that it may run in `pre_exec`.
pub fn give_back_core_limit() -> std::io::Result<()> {
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
            let start = STARTING_CORE_LIMIT.load(std::sync::atomic::Ordering::SeqCst);
            limit.rlim_cur = (start as libc::rlim_t).min(limit.rlim_max);
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
        crate::say!(
            "awscreds-rs: internal error{place}: a bug, please report it with the command you ran"
        );
    }));
}
