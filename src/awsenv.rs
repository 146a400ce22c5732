//! The AWS variables that decide what AWS tools use, named in one place:
//! `exec` and `exec --server` remove them, the hook warns of the keys,
//! doctor names what is set.

/// The key variables. When set, every AWS tool uses them before any
/// profile, so they shadow `AWS_PROFILE`.
pub const KEY_VARS: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
];

/// Every variable that hands an SDK credentials of its own: the key
/// variables and the two older ones botocore and the CLI still read.
pub const RAW_KEY_VARS: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
];

/// The variables that send an SDK's default chain to another source
/// before it reads a named profile: a web identity (botocore, the Go and
/// JS SDKs and aws-config look for it before the profile) and a container
/// endpoint.
pub const SOURCE_VARS: [&str; 7] = [
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The variables that name a profile: boto3 and the AWS CLI read
/// `AWS_DEFAULT_PROFILE` before `AWS_PROFILE`.
pub const PROFILE_VARS: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// What `exec` removes before it sets `AWS_PROFILE`: everything an SDK
/// would use before that profile, and the other profile variable.
pub fn removed_by_exec() -> impl Iterator<Item = &'static str> {
    RAW_KEY_VARS
        .into_iter()
        .chain(SOURCE_VARS)
        .chain(PROFILE_VARS)
}

/// Which of [`SOURCE_VARS`] are set and non-empty, as `var` reads them.
pub fn other_sources<V: AsRef<str>>(var: impl Fn(&str) -> Option<V>) -> Vec<&'static str> {
    SOURCE_VARS
        .into_iter()
        .filter(|name| var(name).is_some_and(|v| !v.as_ref().is_empty()))
        .collect()
}

/// Which of [`KEY_VARS`] are set and non-empty, as `var` reads them.
pub fn shadowing<V: AsRef<str>>(var: impl Fn(&str) -> Option<V>) -> Vec<&'static str> {
    KEY_VARS
        .into_iter()
        .filter(|name| var(name).is_some_and(|v| !v.as_ref().is_empty()))
        .collect()
}
