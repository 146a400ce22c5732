//! The one cache-and-renew mechanism, and the clock it reads.
//!
//! Everything awscreds-rs caches in the store and renews from AWS (an MFA
//! or role session, an Identity Center access token, a role's credentials
//! from the portal) goes the same way: read the entry; while it is fresh,
//! that is the answer; else take the entry's lock, read it again (another
//! process may have renewed it meanwhile), and only then renew it and write
//! it back. Any number of processes at once (Terraform starts dozens) make
//! one call to AWS. What differs per kind (how an entry is read, how much
//! time it must have left, how it is renewed) is a [`Renewable`].
//!
//! Time comes from a [`Clock`], so that a test can set it and skip a wait
//! instead of sleeping through it.

use std::time::Duration;

use time::OffsetDateTime;

use crate::context::Env;
use crate::credentials::Credentials;
use crate::error::Result;
use crate::store::Store;

/// Where the time comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
    /// Waits `span` (a test's clock moves on instead).
    fn sleep(&self, span: Duration);
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    fn sleep(&self, span: Duration) {
        std::thread::sleep(span);
    }
}

/// One kind of cached entry.
pub trait Renewable {
    type Value;
    /// The store entry, whose lock serialises the renewals.
    fn entry(&self) -> &str;
    /// The cached value, if any.
    fn read(&self) -> Result<Option<Self::Value>>;
    /// Whether `value` may still be handed out at `now`: each kind has
    /// its own margin before the value's end.
    fn fresh(&self, value: &Self::Value, now: OffsetDateTime) -> bool;
    /// Checked once the cache has missed, before the lock is taken (a
    /// renewal that would wait for itself).
    fn before_lock(&self) -> Result<()> {
        Ok(())
    }
    /// A new value from AWS, given the stale one (its refresh token, say).
    fn renew(&mut self, stale: Option<Self::Value>, now: OffsetDateTime) -> Result<Self::Value>;
    fn write(&self, value: &Self::Value) -> Result<()>;
}

/// The cached value while fresh, else a renewed one, written back: under
/// the entry's lock, the cache read again first. With `force`, renewed
/// whatever the cache holds (`refresh`).
pub fn cached_or_renewed<R: Renewable>(
    env: &Env,
    clock: &dyn Clock,
    mut kind: R,
    force: bool,
) -> Result<R::Value> {
    if !force {
        if let Some(value) = kind.read()? {
            if kind.fresh(&value, clock.now()) {
                return Ok(value);
            }
        }
    }
    kind.before_lock()?;
    let _lock = crate::paths::lock_entry(env, kind.entry(), "renewing")?;
    let stale = kind.read()?;
    let now = clock.now();
    if let Some(value) = &stale {
        if !force && kind.fresh(value, now) {
            return Ok(stale.expect("just matched"));
        }
    }
    let value = kind.renew(stale, now)?;
    kind.write(&value)?;
    Ok(value)
}

/// Credentials cached in a store entry (a session, a role's credentials):
/// fresh until 15 minutes are left, botocore's margin
/// ([`Credentials::is_fresh`]); renewed by `fetch`. An entry that cannot be
/// read counts as a miss, and is written over.
pub struct CachedCredentials<'a, F> {
    pub store: &'a Store,
    pub entry: &'a str,
    /// Checked before the lock is taken.
    pub guard: &'a dyn Fn() -> Result<()>,
    pub fetch: Option<F>,
}

impl<F: FnOnce() -> Result<Credentials>> Renewable for CachedCredentials<'_, F> {
    type Value = Credentials;

    fn entry(&self) -> &str {
        self.entry
    }

    fn read(&self) -> Result<Option<Credentials>> {
        Ok(self.store.load(self.entry).ok().flatten())
    }

    fn fresh(&self, creds: &Credentials, now: OffsetDateTime) -> bool {
        creds.is_fresh(now)
    }

    fn before_lock(&self) -> Result<()> {
        (self.guard)()
    }

    fn renew(&mut self, _: Option<Credentials>, _: OffsetDateTime) -> Result<Credentials> {
        let fetch = self.fetch.take().expect("renewed once");
        fetch()
    }

    fn write(&self, creds: &Credentials) -> Result<()> {
        self.store.save(self.entry, creds)
    }
}

/// No check before the lock.
pub fn no_guard() -> Result<()> {
    Ok(())
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::sync::Mutex;

    /// A clock that stands still until it is told to wait, and then moves
    /// on by the wait, which it notes.
    pub struct TestClock {
        now: Mutex<OffsetDateTime>,
        pub waits: Mutex<Vec<Duration>>,
    }

    impl TestClock {
        pub fn at(now: OffsetDateTime) -> TestClock {
            TestClock {
                now: Mutex::new(now),
                waits: Mutex::new(Vec::new()),
            }
        }

        /// The waits so far, in whole seconds.
        pub fn waited(&self) -> Vec<u64> {
            self.waits
                .lock()
                .unwrap()
                .iter()
                .map(Duration::as_secs)
                .collect()
        }
    }

    impl Clock for TestClock {
        fn now(&self) -> OffsetDateTime {
            *self.now.lock().unwrap()
        }

        fn sleep(&self, span: Duration) {
            *self.now.lock().unwrap() += span;
            self.waits.lock().unwrap().push(span);
        }
    }

    /// A counter in memory: fresh while below 3.
    struct Counter<'a> {
        value: &'a Mutex<Option<u32>>,
        renewals: u32,
    }

    impl Renewable for Counter<'_> {
        type Value = u32;
        fn entry(&self) -> &str {
            "counter"
        }
        fn read(&self) -> Result<Option<u32>> {
            Ok(*self.value.lock().unwrap())
        }
        fn fresh(&self, value: &u32, _: OffsetDateTime) -> bool {
            *value < 3
        }
        fn renew(&mut self, stale: Option<u32>, _: OffsetDateTime) -> Result<u32> {
            self.renewals += 1;
            Ok(stale.map_or(0, |v| v.saturating_sub(3)))
        }
        fn write(&self, value: &u32) -> Result<()> {
            *self.value.lock().unwrap() = Some(*value);
            Ok(())
        }
    }

    #[test]
    fn fresh_values_are_kept_and_stale_ones_renewed_from_what_was_there() {
        let dir = tempfile::tempdir().unwrap();
        let env = Env::given([("XDG_RUNTIME_DIR", dir.path()), ("HOME", dir.path())]);
        let clock = TestClock::at(OffsetDateTime::UNIX_EPOCH);
        let cell = Mutex::new(Some(1));
        let fresh = Counter {
            value: &cell,
            renewals: 0,
        };
        assert_eq!(cached_or_renewed(&env, &clock, fresh, false).unwrap(), 1);
        *cell.lock().unwrap() = Some(5);
        let stale = Counter {
            value: &cell,
            renewals: 0,
        };
        assert_eq!(cached_or_renewed(&env, &clock, stale, false).unwrap(), 2);
        assert_eq!(*cell.lock().unwrap(), Some(2));
        let forced = Counter {
            value: &cell,
            renewals: 0,
        };
        assert_eq!(cached_or_renewed(&env, &clock, forced, true).unwrap(), 0);
    }

    #[test]
    fn the_test_clock_moves_only_when_told_to_wait() {
        let start = OffsetDateTime::UNIX_EPOCH;
        let clock = TestClock::at(start);
        assert_eq!(clock.now(), start);
        clock.sleep(Duration::from_secs(90));
        assert_eq!(clock.now(), start + Duration::from_secs(90));
        assert_eq!(clock.waited(), [90]);
    }
}
