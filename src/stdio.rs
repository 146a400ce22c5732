//! Whether stdout was open when the process started. Before `main`, Rust's
//! runtime opens /dev/null on a closed
//! descriptor 0, 1 or 2, so `awscreds-rs --username NAME >&-` would print
//! the credentials into /dev/null and exit 0. A constructor that runs
//! before that looks first (Linux and macOS); elsewhere the answer is
//! "open".

use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// True when descriptor 1 was closed when the process started.
pub fn stdout_was_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
extern "C" fn look_at_stdout() {
    // SAFETY: F_GETFD only asks whether the descriptor is open.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
#[used]
#[cfg_attr(target_os = "linux", link_section = ".init_array")]
#[cfg_attr(target_os = "macos", link_section = "__DATA,__mod_init_func")]
static LOOK_AT_STDOUT: extern "C" fn() = look_at_stdout;
