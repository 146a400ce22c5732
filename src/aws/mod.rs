//! Every AWS service awscreds-rs calls, one file each, through the AWS
//! SDK: STS (`sts.rs`), IAM (`iam.rs`), Identity Center's OIDC service
//! (`sso_oidc.rs`) and its portal (`sso.rs`), and AWS's sign-in service
//! (`signin.rs`), with the DPoP proofs its token requests carry
//! (`dpop.rs`), and the console's federation endpoint with STS's
//! GetFederationToken (`federation.rs`). A new AWS call goes into its
//! service's file, a new service into a file of its own beside them.
//!
//! A [`Client`] is made for one command, with the profile whose settings
//! (region, endpoints) it reaches AWS with: `None` for the default chain.
//! It starts one async runtime and loads one SDK configuration, the first
//! time a call needs them, so that the credential_process fast path never
//! pays for either. The SDK resolves the endpoints (`AWS_ENDPOINT_URL_STS`,
//! `AWS_ENDPOINT_URL`, a profile's `services` section) as it does for
//! every AWS tool; the messages name what it resolved.

/// Who a set of credentials belongs to.
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// Whether an ARN from GetCallerIdentity is an account's root user.
pub fn is_root(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(":root")
}

/// The AWS services, reached with one profile's settings.
pub struct Client {
    /// The profile whose region and endpoints the calls use, as the line
    /// would when an SDK runs it for that profile.
    #[cfg_attr(not(feature = "sts"), allow(dead_code))]
    profile: Option<String>,
    #[cfg(feature = "sts")]
    sdk: sdk::Loaded,
}

impl Client {
    pub fn new(profile: Option<&str>) -> Client {
        Client {
            profile: profile.map(String::from),
            #[cfg(feature = "sts")]
            sdk: sdk::Loaded::default(),
        }
    }
}

#[cfg(feature = "sts")]
pub mod dpop;
#[cfg(feature = "sts")]
mod federation;
#[cfg(feature = "sts")]
mod iam;
#[cfg(feature = "sts")]
mod sdk;
#[cfg(feature = "sts")]
pub mod signin;
#[cfg(feature = "sts")]
mod sso;
#[cfg(feature = "sts")]
mod sso_oidc;
#[cfg(feature = "sts")]
mod sts;
#[cfg(feature = "sts")]
pub use sdk::rust_sdk_profile;

#[cfg(not(feature = "sts"))]
mod missing;
#[cfg(not(feature = "sts"))]
pub use missing::rust_sdk_profile;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_arns() {
        assert!(is_root("arn:aws:iam::123456789012:root"));
        assert!(is_root("arn:aws-cn:iam::123456789012:root"));
        assert!(!is_root("arn:aws:iam::123456789012:user/root"));
        assert!(!is_root("arn:aws:sts::123456789012:assumed-role/root/x"));
        assert!(!is_root("root"));
    }
}
