//! The tests' fault injection: a command stops at a named step, as if it
//! were killed there, so that a test can see what a crash at that point
//! leaves behind. Only a build with the `fault-injection` feature stops
//! (`AWSCREDS_TEST_STOP_AFTER=STEP`, exit 99); scripts/test.sh builds one
//! into `target/faults` for the tests, and the binary users install
//! compiles every call to nothing.

/// Stops the process here when the tests ask for `step`.
#[cfg(feature = "fault-injection")]
pub fn stop_here_in_tests(step: &str) {
    let env = crate::context::Env::process();
    if env.var("AWSCREDS_TEST_STOP_AFTER").as_deref() == Some(step) {
        std::process::exit(99);
    }
}

/// Stops the process here when the tests ask for `step`: never, in this
/// build.
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub fn stop_here_in_tests(_step: &str) {}
