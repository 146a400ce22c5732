/* Loaded with LD_PRELOAD by tests/binary.rs: every clock_gettime fails, so
   Rust's std (which unwraps it in SystemTime::now) panics inside the
   installed binary. The harness's own fault, not one the binary ships. */
#include <errno.h>
#include <time.h>

int clock_gettime(clockid_t clock, struct timespec *now) {
    (void)clock;
    (void)now;
    errno = EINVAL;
    return -1;
}
