//! What the Linux binary does about its own start-up cost at run time (the
//! link-time part is in build.rs): every AWS call and every hook run pays
//! it, and on a machine where a page fault costs microseconds, each shared
//! library the loader maps is tens of them.

/// `pow`, the one function the program takes from glibc's libm (the AWS
/// SDK's retry rate limiter takes a cube root with `powf`), defined here
/// so that the loader maps no libm at all: 9 page faults and 7 system
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
