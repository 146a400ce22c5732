//! A string that must never be shown: `Debug` and `Display` print `***`.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// A secret access key or session token.
///
/// The only way to read it is [`Secret::expose`], so every place that lets a
/// secret out is easy to find.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // The bytes and the spare capacity, before the allocator gets them back.
        self.0.zeroize();
    }
}

/// A line from another program, fit to show: what looks like a secret
/// (20 or more characters of base64 with upper- and lower-case letters and
/// digits: a secret access key, a session token) becomes `***`, control
/// characters become `?`, and it is cut at 200 characters.
pub fn masked(text: &str) -> String {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || "/+=".contains(c);
    let looks_secret = |run: &str| {
        run.len() >= 20
            && run.chars().any(|c| c.is_ascii_uppercase())
            && run.chars().any(|c| c.is_ascii_lowercase())
            && run.chars().any(|c| c.is_ascii_digit())
    };
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if is_b64(c) {
            run.push(c);
            continue;
        }
        out.push_str(if looks_secret(&run) { "***" } else { &run });
        run.clear();
        out.push(c);
    }
    out.pop();
    crate::error::one_line(out.chars().take(200).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_what_looks_like_a_secret() {
        assert_eq!(
            masked("denied: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, try again"),
            "denied: ***, try again"
        );
        assert_eq!(
            masked("/usr/local/bin/awscreds-rs: no entry for AKIAIOSFODNN7EXAMPLE"),
            "/usr/local/bin/awscreds-rs: no entry for AKIAIOSFODNN7EXAMPLE"
        );
        assert_eq!(masked("a\x1b[2Jb"), "a?[2Jb");
        assert_eq!(masked(&"x".repeat(500)).len(), 200);
    }

    #[test]
    fn never_prints_itself() {
        let s = Secret::new("wJalrXUtnFEMI/K7MDENG".into());
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(s.expose(), "wJalrXUtnFEMI/K7MDENG");
    }
}
