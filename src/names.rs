//! The names awscreds-rs accepts, each checked in one place: profile names,
//! NAMEs (the `--username` a key is stored under), MFA devices, and the
//! external ids and session names of roles. All are ASCII letters and
//! digits, some punctuation, and a length range.

use std::ops::RangeInclusive;

use crate::error::{Error, Result};

/// Whether `value` is `length` characters of ASCII letters, digits and `punctuation`.
fn is_word(value: &str, punctuation: &str, length: RangeInclusive<usize>) -> bool {
    length.contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || punctuation.contains(c))
}

/// A profile name: letters, digits and `-_.+=,@`, at most 128.
pub fn validate_profile_name(profile: &str) -> Result<()> {
    if !is_word(profile, "-_.+=,@", 1..=128) {
        return Err(Error::bad_value(
            "profile name",
            profile,
            "use 1 to 128 letters, digits or - _ . + = , @",
        ));
    }
    Ok(())
}

/// A NAME, before it is used as a key in any store: the characters of IAM
/// user names, at most 128 of them. `#` is not one of them, so no NAME
/// looks like a cached session's entry.
pub fn validate_name(name: &str) -> Result<()> {
    if !is_word(name, "+=,.@_-", 1..=128) {
        return Err(Error::bad_value(
            "--username",
            name,
            "use 1 to 128 letters, digits or + = , . @ _ -",
        ));
    }
    Ok(())
}

/// An MFA device: its ARN (arn:aws:iam::ACCOUNT:mfa/NAME) or a hardware
/// token's serial number.
pub fn validate_mfa_serial(serial: &str) -> Result<()> {
    if is_word(serial, "_+=/:,.@-", 9..=256) {
        Ok(())
    } else {
        Err(Error::bad_value(
            "--mfa-serial",
            serial,
            "give the device's ARN, like arn:aws:iam::123456789012:mfa/helen",
        ))
    }
}

/// An AWS region's name (`us-west-2`), for `configure --region`.
pub fn validate_region(region: &str) -> Result<()> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::bad_value(
            "--region",
            region,
            "a region looks like us-west-2",
        ))
    }
}

/// A role's ARN as IAM writes it: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`,
/// with an `aws` partition (`aws`, `aws-cn`, `aws-us-gov`, ...), a 12-digit
/// account, path parts and a name of IAM's name characters (the name 1 to
/// 64 of them). Anything else, a line break above all, is refused: the ARN
/// goes into a credential_process line.
pub fn is_role_arn(arn: &str) -> bool {
    let Some(("iam", account, resource)) = global_arn(arn) else {
        return false;
    };
    let Some(path_and_name) = resource.strip_prefix("role/") else {
        return false;
    };
    let (path, name) = match path_and_name.rsplit_once('/') {
        Some((path, name)) => (Some(path), name),
        None => (None, path_and_name),
    };
    is_account_id(account)
        && is_word(name, ROLE_NAME_PUNCTUATION, 1..=64)
        && path.is_none_or(|path| {
            path.len() <= 510
                && path
                    .split('/')
                    .all(|part| is_word(part, ROLE_NAME_PUNCTUATION, 1..=510))
        })
}

/// The punctuation IAM allows in a role's (and a user's) name.
const ROLE_NAME_PUNCTUATION: &str = "+=,.@_-";

/// An IAM role's name (as Identity Center lists them): 1 to 64 letters,
/// digits and `+=,.@_-`.
pub fn is_role_name(name: &str) -> bool {
    is_word(name, ROLE_NAME_PUNCTUATION, 1..=64)
}

/// An Identity Center session's name as awscreds-rs takes it (it names a
/// store entry and a lock file): 1 to 64 letters, digits, `-`, `_` and `.`.
pub fn is_sso_session_name(name: &str) -> bool {
    is_word(name, "-_.", 1..=64)
}

/// The ARN of an AWS sign-in's login session, as `aws login` names it and
/// its ID token's `sub` says: `arn:PARTITION:iam::ACCOUNT:user/PATH/NAME`,
/// `...:root`, or `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION`
/// (a federated role), in IAM's name characters and at most 2,048 long. It
/// goes into a credential_process line and names a store entry.
pub fn is_login_session(arn: &str) -> bool {
    let Some((service, account, resource)) = global_arn(arn) else {
        return false;
    };
    let path_ok = |path: &str| {
        !path.is_empty()
            && path
                .split('/')
                .all(|part| is_word(part, ROLE_NAME_PUNCTUATION, 1..=512))
    };
    let resource_ok = match service {
        "iam" => resource == "root" || resource.strip_prefix("user/").is_some_and(path_ok),
        "sts" => resource.strip_prefix("assumed-role/").is_some_and(path_ok),
        _ => false,
    };
    arn.len() <= 2048 && is_account_id(account) && resource_ok
}

/// The service, account and resource of an ARN of a global service (IAM,
/// STS: no region), in an `aws` partition (`aws`, `aws-cn`,
/// `aws-us-gov`, ...).
fn global_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.strip_prefix("arn:")?.splitn(5, ':');
    let (partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (region.is_empty() && partition.starts_with("aws") && is_word(partition, "-", 3..=32))
        .then_some((service, account, resource))
}

/// An AWS account id: exactly 12 digits.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// STS's rule for an external id.
pub fn is_external_id(id: &str) -> bool {
    is_word(id, "_+=,.@-:/", 2..=1224)
}

/// STS's rule for a role session name.
pub fn is_role_session_name(name: &str) -> bool {
    is_word(name, "_+=,.@-", 2..=64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_sessions() {
        for good in [
            "arn:aws:iam::123456789012:user/helen",
            "arn:aws:iam::123456789012:user/team/helen.x",
            "arn:aws:iam::123456789012:root",
            "arn:aws-cn:sts::123456789012:assumed-role/Admin/helen@example.com",
        ] {
            assert!(is_login_session(good), "{good}");
        }
        for bad in [
            "arn:aws:iam::123456789012:user/",
            "arn:aws:iam::123456789012:role/Admin",
            "arn:aws:iam::12345678901:user/helen",
            "arn:aws:iam::123456789012:user/a b",
            "arn:aws:iam::123456789012:user/a\nb",
            "arn:aws:s3::123456789012:user/helen",
            "arn:aws:sts::123456789012:assumed-role/",
            "--login-session",
        ] {
            assert!(!is_login_session(bad), "{bad}");
        }
    }

    #[test]
    fn regions_and_role_arns() {
        assert!(validate_region("us-west-2").is_ok());
        assert!(validate_region("us west").is_err());
        assert!(validate_region("").is_err());
        assert!(is_role_arn("arn:aws:iam::123456789012:role/deploy"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/helen"));
        assert!(!is_role_arn(&format!(
            "arn:aws:iam::123456789012:role/{}",
            "x".repeat(65)
        )));
        assert!(is_role_arn(
            "arn:aws-cn:iam::123456789012:role/team/ci/deploy"
        ));
        assert!(is_role_arn(
            "arn:aws-us-gov:iam::123456789012:role/a.b@c+d=e,f_g-h"
        ));
        for bad in [
            "arn:aws:iam::123456789012:role/x\n[profile evil]",
            "arn:aws:iam::123456789012:role/x\r",
            "arn:aws:iam::123456789012:role/",
            "arn:aws:iam::123456789012:role//x",
            "arn:aws:iam::12345678901:role/x",
            "arn:aws:iam::1234567890123:role/x",
            "arn:aws:iam:us-east-1:123456789012:role/x",
            "arn:aws:sts::123456789012:role/x",
            "arn:evil:iam::123456789012:role/x",
            "arn:aws:iam::123456789012:role/x y",
            "arn:aws:iam::123456789012:role/x'",
            "arn:aws:iam::123456789012:role/path with space/x",
            "arn:aws:iam::123456789012:role/x\"",
            "arn:aws:iam::123456789012:role/x;touch",
        ] {
            assert!(!is_role_arn(bad), "{bad:?}");
        }
        assert!(is_account_id("012345678901"));
        assert!(!is_account_id("01234567890a"));
        assert!(is_role_name("AWSReservedSSO_Admin_0123"));
        assert!(!is_role_name("Admin\ncredential_process = x"));
    }

    #[test]
    fn words() {
        assert!(is_word("helen-1", "-", 1..=8));
        assert!(!is_word("", "-", 1..=8));
        assert!(!is_word("helen_1", "-", 1..=8));
        assert!(!is_word("é", "", 1..=8));
        assert!(!is_word("123456789", "", 1..=8));
    }

    #[test]
    fn names() {
        for ok in ["helen", "ci-deploy", "a.b@c+d=e,f_g", &"x".repeat(128)] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "has space",
            "semi;colon",
            "new\nline",
            "é",
            "helen#mfa",
            &"x".repeat(129),
        ] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn profile_names() {
        assert!(validate_profile_name("my-app@prod+1").is_ok());
        assert!(validate_profile_name("a b").is_err());
        assert!(validate_profile_name("$(x)").is_err());
        assert!(validate_profile_name(&"p".repeat(129)).is_err());
    }
}
