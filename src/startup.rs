//! What the Linux binary does about its own start-up cost at run time (the
//! link-time part is in build.rs): every AWS call and every hook run pays
//! it, and on a machine where a page fault costs microseconds, each shared
//! library the loader maps is tens of them.

/// The process's entry point, called by glibc, in place of Rust's runtime
/// start. That start does four things before `main`; here three of them
/// are done the same way, and one is left out:
/// - a closed descriptor 0, 1 or 2 is opened on /dev/null (so that no file
///   the program opens takes its number and receives its output);
/// - SIGPIPE is ignored (a write to a closed pipe is an error, which `main`
///   turns into a quiet exit);
/// - the arguments: std reads them from glibc itself, either way;
/// - left out: finding the main thread's stack and guard page for the
///   "has overflowed its stack" message. glibc finds them by reading and
///   parsing /proc/self/maps, about a tenth of this program's start-up
///   here; a stack overflow (there is no deep recursion in the program)
///   still ends the process, with SIGSEGV.
///
/// `crate::main` ends in `std::process::exit`, which flushes stdout as the
/// runtime's own exit does.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[no_mangle]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    for fd in 0..=2 {
        // SAFETY: F_GETFD only asks whether the descriptor is open; open
        // takes a NUL-terminated path and returns the lowest free number,
        // which is this one.
        unsafe {
            if libc::fcntl(fd, libc::F_GETFD) == -1
                && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) != fd
            {
                libc::abort();
            }
        }
    }
    // SAFETY: setting a signal's disposition to SIG_IGN installs no code.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    crate::main();
    0
}

/// `pow`, the one function the program takes from glibc's libm (the AWS
/// SDK's retry rate limiter takes a cube root with `powf`), defined here
/// so that the loader maps no libm at all: 9 page faults and 9 system
/// calls fewer on every start. Defined in the executable, it is the `pow`
/// every call in the program binds to (and the one a shared library would
/// bind to: none that the program loads calls it). The `libm` crate is
/// Rust's port of musl's libm.
#[cfg(all(target_os = "linux", target_env = "gnu", feature = "sts"))]
#[no_mangle]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

#[cfg(all(test, target_os = "linux", target_env = "gnu", feature = "sts"))]
mod tests {
    #[test]
    fn pow_is_a_power() {
        assert_eq!(super::pow(2.0, 10.0), 1024.0);
        assert!((super::pow(27.0, 1.0 / 3.0) - 3.0).abs() < 1e-15);
        assert_eq!(super::pow(0.5, -2.0), 4.0);
        assert!(super::pow(-8.0, 1.0 / 3.0).is_nan());
    }
}
