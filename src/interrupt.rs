//! What Ctrl-C (SIGINT), SIGTERM and SIGHUP do while awscreds-rs holds
//! something that must not outlive it: a helper command's process group
//! (`child.rs`) or a terminal with echo off (`ask.rs`). While a guard for
//! it lives, the signal first stops the group and gives the terminal back
//! its settings, then takes its default course: the process ends by that
//! signal, as it would have. A signal that the process was started
//! ignoring (`nohup`) stays ignored, and with no guard alive nothing
//! changes.
//!
//! SIGKILL cannot be caught: then only the helper command itself ends
//! with us (`PR_SET_PDEATHSIG` in `child.rs`, Linux), not what it started.
//! On Windows the console sends Ctrl-C to every process on it, so the
//! guards do nothing there.

#[cfg(unix)]
mod unix {
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicI32, Ordering};
    use std::sync::{Once, OnceLock};

    /// The process group to stop, or 0.
    static GROUP: AtomicI32 = AtomicI32::new(0);
    /// The terminal to restore, or -1.
    static TERMINAL: AtomicI32 = AtomicI32::new(-1);
    /// Its settings before the first hidden prompt (they are the same for
    /// every later one in this process).
    static SETTINGS: OnceLock<libc::termios> = OnceLock::new();
    static INSTALL: Once = Once::new();

    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    /// Only async-signal-safe calls: atomics, killpg, tcsetattr, write.
    extern "C" fn on_signal(signal: libc::c_int) {
        let group = GROUP.load(Ordering::SeqCst);
        let terminal = TERMINAL.load(Ordering::SeqCst);
        // SAFETY: plain integers, and a termios that is never written
        // again once set.
        unsafe {
            if group > 0 {
                libc::killpg(group, libc::SIGKILL);
            }
            if terminal >= 0 {
                if let Some(settings) = SETTINGS.get() {
                    libc::tcsetattr(terminal, libc::TCSANOW, settings);
                    libc::write(terminal, b"\n".as_ptr().cast(), 1);
                }
            }
        }
        // SA_RESETHAND put the default action back; the signal is blocked
        // while this runs, so returning delivers the one raised here.
        // SAFETY: raise takes a plain integer.
        unsafe {
            libc::raise(signal);
        }
    }

    /// Sets `handler` (with `flags`) for `signal`, unless the process was
    /// started with it ignored (`nohup`): that stays.
    fn handle(signal: libc::c_int, handler: libc::sighandler_t, flags: libc::c_int) {
        // SAFETY: sigaction reads and writes only the structs it is given;
        // both handlers make async-signal-safe calls only.
        unsafe {
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                || old.sa_sigaction == libc::SIG_IGN
            {
                return;
            }
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = handler;
            new.sa_flags = flags;
            libc::sigemptyset(&mut new.sa_mask);
            libc::sigaction(signal, &new, std::ptr::null_mut());
        }
    }

    fn install() {
        INSTALL.call_once(|| {
            for signal in SIGNALS {
                handle(
                    signal,
                    on_signal as extern "C" fn(libc::c_int) as usize,
                    libc::SA_RESETHAND | libc::SA_RESTART,
                );
            }
        });
    }

    /// While it lives, a signal stops the process group `pgid`.
    pub struct Group(());

    impl Group {
        pub fn guard(pgid: u32) -> Group {
            install();
            GROUP.store(i32::try_from(pgid).unwrap_or(0), Ordering::SeqCst);
            Group(())
        }
    }

    /// The command `exec` runs, to pass signals on to, or 0.
    static CHILD: AtomicI32 = AtomicI32::new(0);
    static INSTALL_FORWARD: Once = Once::new();
    const FORWARDED: [libc::c_int; 6] = [
        libc::SIGINT,
        libc::SIGTERM,
        libc::SIGHUP,
        libc::SIGQUIT,
        libc::SIGUSR1,
        libc::SIGUSR2,
    ];

    /// `si_code` of a signal that kill(2) sent (the libc crate names it on
    /// Linux only).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const SI_USER: libc::c_int = 0;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const SI_USER: libc::c_int = 0x10001;

    /// Passes a signal that a process sent us (`kill`) on to the child. One
    /// the terminal sent (Ctrl-C) reached the child's process group already:
    /// passing it on would deliver it twice. Only async-signal-safe calls.
    extern "C" fn forward(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        let child = CHILD.load(Ordering::SeqCst);
        // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
        let sent = !info.is_null() && unsafe { (*info).si_code } == SI_USER;
        if child > 0 && sent {
            // SAFETY: kill takes plain integers.
            unsafe {
                libc::kill(child, signal);
            }
        }
    }

    /// While it lives, the signals a process sends us go on to `pid`, and
    /// do not end us: we end when it does, with its status.
    pub struct Forward(());

    impl Forward {
        pub fn to(pid: u32) -> Forward {
            CHILD.store(i32::try_from(pid).unwrap_or(0), Ordering::SeqCst);
            INSTALL_FORWARD.call_once(|| {
                for signal in FORWARDED {
                    handle(
                        signal,
                        forward
                            as extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void)
                            as usize,
                        libc::SA_SIGINFO | libc::SA_RESTART,
                    );
                }
            });
            Forward(())
        }
    }

    impl Drop for Forward {
        fn drop(&mut self) {
            CHILD.store(0, Ordering::SeqCst);
        }
    }

    impl Drop for Group {
        fn drop(&mut self) {
            GROUP.store(0, Ordering::SeqCst);
        }
    }

    /// While it lives, a signal restores the terminal's settings as they
    /// were when it was made.
    pub struct Terminal {
        tty_file: Option<std::fs::File>,
    }

    impl Terminal {
        pub fn guard() -> Terminal {
            let Ok(tty) = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
            else {
                return Terminal { tty_file: None };
            };
            if SETTINGS.get().is_none() {
                // SAFETY: tcgetattr writes only the struct it is given.
                let mut settings: libc::termios = unsafe { std::mem::zeroed() };
                if unsafe { libc::tcgetattr(tty.as_raw_fd(), &mut settings) } != 0 {
                    return Terminal { tty_file: None };
                }
                let _ = SETTINGS.set(settings);
            }
            install();
            TERMINAL.store(tty.as_raw_fd(), Ordering::SeqCst);
            Terminal {
                tty_file: Some(tty),
            }
        }
    }

    impl Drop for Terminal {
        fn drop(&mut self) {
            if self.tty_file.is_some() {
                TERMINAL.store(-1, Ordering::SeqCst);
            }
        }
    }
}

#[cfg(unix)]
pub use unix::{Forward, Group, Terminal};

#[cfg(not(unix))]
pub struct Group(());

#[cfg(not(unix))]
impl Group {
    pub fn guard(_pgid: u32) -> Group {
        Group(())
    }
}

#[cfg(not(unix))]
pub struct Forward(());

/// The console sends Ctrl-C to every process on it; there is nothing to
/// pass on.
#[cfg(not(unix))]
impl Forward {
    pub fn to(_pid: u32) -> Forward {
        Forward(())
    }
}

#[cfg(not(unix))]
pub struct Terminal(());

#[cfg(not(unix))]
impl Terminal {
    pub fn guard() -> Terminal {
        Terminal(())
    }
}
