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
        return Err(Error::Usage(format!(
            "invalid profile name '{}': use 1 to 128 letters, digits or - _ . + = , @",
            profile.escape_default()
        )));
    }
    Ok(())
}

/// A NAME, before it is used as a key in any store: the characters of IAM
/// user names, at most 128 of them. `#` is not one of them, so no NAME
/// looks like a cached session's entry.
pub fn validate_name(name: &str) -> Result<()> {
    if !is_word(name, "+=,.@_-", 1..=128) {
        return Err(Error::Usage(format!(
            "invalid --username '{}': use 1 to 128 letters, digits or + = , . @ _ -",
            name.escape_default()
        )));
    }
    Ok(())
}

/// An MFA device: its ARN (arn:aws:iam::ACCOUNT:mfa/NAME) or a hardware
/// token's serial number.
pub fn validate_mfa_serial(serial: &str) -> Result<()> {
    if is_word(serial, "_+=/:,.@-", 9..=256) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "invalid --mfa-serial '{}': give the device's ARN, like arn:aws:iam::123456789012:mfa/helen",
            serial.escape_default()
        )))
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
        Err(Error::Usage(format!(
            "invalid --region '{}': a region looks like us-west-2",
            region.escape_default()
        )))
    }
}

/// A role's ARN (`arn:aws:iam::ACCOUNT:role/NAME`), as `--role-arn` takes it.
pub fn is_role_arn(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.contains(":role/") && arn.len() <= 2048
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
    fn regions_and_role_arns() {
        assert!(validate_region("us-west-2").is_ok());
        assert!(validate_region("us west").is_err());
        assert!(validate_region("").is_err());
        assert!(is_role_arn("arn:aws:iam::123456789012:role/deploy"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/helen"));
        assert!(!is_role_arn(&format!(
            "arn:aws:iam::1:role/{}",
            "x".repeat(2048)
        )));
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
