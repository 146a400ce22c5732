//! The AWS variables that decide what AWS tools use, named in one place.

/// The key variables. When set, every AWS tool uses them before any
/// profile, so they shadow `AWS_PROFILE`.
pub const KEY_VARS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Which of [`KEY_VARS`] are set and non-empty, as `var` reads them.
pub fn shadowing<V: AsRef<str>>(var: impl Fn(&str) -> Option<V>) -> Vec<&'static str> {
    KEY_VARS
        .into_iter()
        .filter(|name| var(name).is_some_and(|v| !v.as_ref().is_empty()))
        .collect()
}
