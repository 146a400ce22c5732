//! The credential_process document: parsing what users hand us, checking it,
//! the versioned form kept in the store, and the Version 1 output.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// The version of the JSON document kept in the store. Fields added later
/// are optional, so older entries keep loading without a migration.
const STORED_FORMAT: u32 = 1;

/// botocore refreshes credentials with 15 minutes left and fails when a
/// refresh returns less than 10: a session is served, and called healthy,
/// only with more than this left.
pub const REFRESH_MARGIN: time::Duration = time::Duration::minutes(15);

/// One AWS key pair, possibly temporary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<OffsetDateTime>,
    pub account_id: Option<String>,
    /// The MFA device that STS sessions for this key ask a code for.
    pub mfa_serial: Option<String>,
    /// When IAM created a long-term key (its `CreateDate`), for its age.
    pub created: Option<OffsetDateTime>,
}

/// How an access key id starts: `AKIA` for a long-term key, `ASIA` for
/// temporary credentials (AWS's unique-id prefixes).
pub const LONG_TERM_PREFIX: &str = "AKIA";
pub const TEMPORARY_PREFIX: &str = "ASIA";

/// Whether a key id is that of temporary credentials (`ASIA`).
pub fn is_temporary_key_id(id: &str) -> bool {
    id.starts_with(TEMPORARY_PREFIX)
}

/// Whether a key id is that of a long-term key (`AKIA`).
pub fn is_long_term_key_id(id: &str) -> bool {
    id.starts_with(LONG_TERM_PREFIX)
}

impl Credentials {
    /// A key pair and nothing else; the other fields are set by name
    /// (`Credentials { session_token, ..Credentials::new(id, secret) }`).
    pub fn new(access_key_id: String, secret_access_key: Secret) -> Credentials {
        Credentials {
            access_key_id,
            secret_access_key,
            session_token: None,
            expiration: None,
            account_id: None,
            mfa_serial: None,
            created: None,
        }
    }
}

/// AWS's advice: rotate a long-term key at least every 90 days.
pub const ROTATE_AFTER_DAYS: i64 = 90;

/// The entry as stored: the credential_process field names plus a format number.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Stored {
    format_version: u32,
    access_key_id: String,
    secret_access_key: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    session_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mfa_serial: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    create_date: Option<String>,
}

/// The credential_process output, borrowed from [`Credentials`].
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput<'a> {
    version: u8,
    access_key_id: &'a str,
    secret_access_key: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

/// The container credentials document, borrowed from [`Credentials`].
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerOutput<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    token: &'a str,
    expiration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

/// Whether a key id has the shape AWS gives them: `AKIA` (long-term) or
/// `ASIA` (temporary), then 16 upper-case letters or digits.
pub fn is_valid_access_key_id(id: &str) -> bool {
    id.len() == 20
        && (is_long_term_key_id(id) || is_temporary_key_id(id))
        && id[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `AKIA************WXYZ`: enough to tell keys apart, not enough to use one.
pub fn mask_access_key_id(id: &str) -> String {
    if id.len() < 8 || !id.is_ascii() {
        return "*".repeat(id.chars().count());
    }
    format!(
        "{}{}{}",
        &id[..4],
        "*".repeat(id.len() - 8),
        &id[id.len() - 4..]
    )
}

/// RFC 3339 in UTC, whole seconds, with a `Z`: the form every SDK parses.
pub fn format_expiration(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .expect("a UTC date always formats")
}

/// A time as the stored document keeps it: whole seconds.
pub fn whole_seconds(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(0).unwrap_or(at)
}

/// Parses an RFC 3339 timestamp; fractions of a second are dropped, so an
/// expiry is never reported later than it really is.
pub fn parse_expiration(text: &str) -> Option<OffsetDateTime> {
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339).ok()?;
    at.replace_nanosecond(0).ok()
}

impl Credentials {
    /// Whether a session is still served at `now`: more than the refresh
    /// margin left (none without an expiry).
    pub fn is_fresh(&self, now: OffsetDateTime) -> bool {
        self.expiration.is_some_and(|at| at - now > REFRESH_MARGIN)
    }

    /// Credentials a server just issued, checked against this machine's
    /// clock: ones that have expired already (a clock that is off, or a
    /// server that is) are never handed on, since an SDK would refuse them
    /// and ask again on every call.
    pub fn issued_by(self, service: &str, now: OffsetDateTime) -> crate::error::Result<Self> {
        match self.expiration {
            Some(at) if at <= now => Err(crate::error::Error::invalid(
                format!(
                    "{service} issued credentials that expired at {}, before this machine's time ({})",
                    format_expiration(at),
                    format_expiration(now)
                ),
                "check this machine's clock and time zone (timedatectl on Linux): \
                 it may be ahead of the real time; nothing was cached",
            )),
            _ => Ok(self),
        }
    }

    /// Whether the credentials have passed their expiration at `now`.
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expiration.is_some_and(|at| at <= now)
    }

    /// Whole days since IAM created the key, when that is known.
    pub fn age_days(&self, now: OffsetDateTime) -> Option<i64> {
        self.created.map(|at| (now - at).whole_days().max(0))
    }

    pub fn is_temporary(&self) -> bool {
        self.session_token.is_some() || is_temporary_key_id(&self.access_key_id)
    }

    /// The checks `add` makes before anything is written: the shape of
    /// every field, and an expiration in the future.
    pub fn validate(&self, now: OffsetDateTime) -> Result<()> {
        self.check_shape()
            .map_err(|(what, fix)| Error::invalid(what, fix))?;
        // A token beside a long-term key is a leftover of earlier keys (AWS
        // rejects the pair). Only refused here, on what users hand in: STS
        // look-alikes such as moto give sessions AKIA ids.
        if self.session_token.is_some() && is_long_term_key_id(&self.access_key_id) {
            return Err(Error::invalid(
                "a long-term key (AKIA...) came with a session token, which AWS rejects",
                "leave the token out (for --from-env: unset AWS_SESSION_TOKEN, a leftover)",
            ));
        }
        if let Some(at) = self.expiration {
            if at <= now {
                return Err(Error::invalid(
                    format!(
                        "the expiration {} is not in the future",
                        format_expiration(at)
                    ),
                    "these credentials are already expired: get fresh ones",
                ));
            }
        }
        Ok(())
    }

    /// What every key pair must be, whether it comes in or is read back
    /// from a store. A failure names the field and never shows its value:
    /// a secret pasted into the wrong field must not end up on a screen.
    fn check_shape(&self) -> std::result::Result<(), (&'static str, &'static str)> {
        let bad_text = |text: &str| {
            text.trim().is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control())
        };
        if !is_valid_access_key_id(&self.access_key_id) {
            return Err((
                "the access key id is not valid",
                "an AWS access key id is AKIA or ASIA followed by 16 upper-case letters or digits",
            ));
        }
        if bad_text(self.secret_access_key.expose()) {
            return Err((
                "the secret access key is empty or contains white space or control characters",
                "paste the secret exactly as AWS gave it",
            ));
        }
        let temporary = is_temporary_key_id(&self.access_key_id);
        match &self.session_token {
            None if temporary => {
                return Err((
                    "the key is temporary (ASIA...) but no session token was given",
                    "give the SessionToken with it (AWS_SESSION_TOKEN for --from-env)",
                ))
            }
            Some(token) if bad_text(token.expose()) => {
                return Err((
                    "the session token is empty or contains white space or control characters",
                    "leave it out for a long-term key, or give the whole token",
                ))
            }
            _ => {}
        }
        if let Some(account) = &self.account_id {
            if !crate::names::is_account_id(account) {
                return Err((
                    "the account id is not valid",
                    "an AWS account id is 12 digits",
                ));
            }
        }
        Ok(())
    }

    /// Reads a credential_process JSON document (what `aws configure
    /// export-credentials --format process` prints). Errors name the field,
    /// never its value.
    pub fn from_process_json(text: &str) -> Result<Self> {
        let fix = "give one JSON object like {\"Version\":1,\"AccessKeyId\":\"AKIA...\",\"SecretAccessKey\":\"...\"}";
        if text.trim().is_empty() {
            return Err(Error::invalid(
                "stdin is empty: there is no key to read",
                "pipe the key in as JSON ({\"AccessKeyId\":\"AKIA...\",\"SecretAccessKey\":\"...\"}), \
                 run add on a terminal to be asked for it, or give --from-env",
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                format!(
                    "stdin is not a JSON document (line {}, column {})",
                    e.line(),
                    e.column()
                ),
                fix,
            )
        })?;
        let Value::Object(mut map) = value else {
            return Err(Error::invalid("stdin is JSON but not an object", fix));
        };
        // What `aws iam create-access-key` prints: the key in `AccessKey`.
        if let Some(Value::Object(inner)) = map.remove("AccessKey") {
            map = inner;
        }
        match map.get("Version") {
            None => {}
            Some(v) if v.as_u64() == Some(1) => {}
            Some(_) => {
                return Err(Error::invalid(
                    "the document's Version is not 1",
                    "credential_process documents have \"Version\": 1",
                ))
            }
        }
        let required = |key: &str| -> Result<String> {
            optional_string(&map, key)?.ok_or_else(|| {
                Error::invalid(format!("the document has no {key}"), fix.to_string())
            })
        };
        let access_key_id = required("AccessKeyId")?;
        // A document is taken as written: white space inside a JSON string
        // is no paste's doing, and check_shape refuses it (only what is
        // typed or piped as a bare line loses the space around it).
        let secret_access_key = Secret::new(required("SecretAccessKey")?);
        let session_token = optional_string(&map, "SessionToken")?.map(Secret::new);
        let expiration = match optional_string(&map, "Expiration")? {
            None => None,
            Some(text) => Some(parse_expiration(&text).ok_or_else(|| {
                Error::invalid(
                    "the Expiration is not an RFC 3339 timestamp",
                    "write it like 2026-11-22T10:00:00Z",
                )
            })?),
        };
        let account_id = optional_string(&map, "AccountId")?;
        let created = match optional_string(&map, "CreateDate")? {
            None => None,
            Some(text) => Some(parse_expiration(&text).ok_or_else(|| {
                Error::invalid(
                    "the CreateDate is not an RFC 3339 timestamp",
                    "write it as IAM does, like 2026-11-22T10:00:00Z",
                )
            })?),
        };
        if optional_string(&map, "Status")?.is_some_and(|status| status != "Active") {
            return Err(Error::invalid(
                "the key's Status is not Active: AWS refuses an inactive key",
                "activate it (aws iam update-access-key --status Active) or create a new one",
            ));
        }
        Ok(Credentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            account_id,
            mfa_serial: None,
            created,
        })
    }

    /// The Version 1 document printed for credential_process, wiped when
    /// dropped.
    pub fn to_process_json(&self) -> Zeroizing<String> {
        let output = ProcessOutput {
            version: 1,
            access_key_id: &self.access_key_id,
            secret_access_key: self.secret_access_key.expose(),
            session_token: self.session_token.as_ref().map(Secret::expose),
            expiration: self.expiration.map(format_expiration),
            account_id: self.account_id.as_deref(),
        };
        Zeroizing::new(serde_json::to_string(&output).expect("plain strings always serialize"))
    }

    /// The document of the container credentials protocol (what ECS serves
    /// and every SDK's container provider reads), wiped when dropped;
    /// `None` unless these are temporary credentials with an expiry, the
    /// only kind the endpoint serves.
    pub fn to_container_json(&self) -> Option<Zeroizing<String>> {
        let token = self.session_token.as_ref()?;
        let expiration = self.expiration?;
        let output = ContainerOutput {
            access_key_id: &self.access_key_id,
            secret_access_key: self.secret_access_key.expose(),
            token: token.expose(),
            expiration: format_expiration(expiration),
            account_id: self.account_id.as_deref(),
        };
        Some(Zeroizing::new(
            serde_json::to_string(&output).expect("plain strings always serialize"),
        ))
    }

    /// The value kept in the store, wiped when dropped.
    pub fn to_stored(&self) -> Zeroizing<Vec<u8>> {
        let stored = Stored {
            format_version: STORED_FORMAT,
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: self.session_token.clone(),
            expiration: self.expiration.map(format_expiration),
            account_id: self.account_id.clone(),
            mfa_serial: self.mfa_serial.clone(),
            create_date: self.created.map(format_expiration),
        };
        Zeroizing::new(serde_json::to_vec(&stored).expect("plain strings always serialize"))
    }

    /// Reads a stored value back. The error is a short reason that holds no
    /// part of the value.
    pub fn from_stored(bytes: &[u8]) -> Result<Self, String> {
        let stored: Stored = serde_json::from_slice(bytes)
            .map_err(|e| format!("{:?} error in its JSON", e.classify()).to_lowercase())?;
        if stored.format_version > STORED_FORMAT {
            return Err(format!(
                "format {} was written by a newer awscreds-rs",
                stored.format_version
            ));
        }
        let expiration = match stored.expiration {
            None => None,
            Some(text) => {
                Some(parse_expiration(&text).ok_or("its Expiration is not RFC 3339".to_string())?)
            }
        };
        let created = match stored.create_date {
            None => None,
            Some(text) => {
                Some(parse_expiration(&text).ok_or("its CreateDate is not RFC 3339".to_string())?)
            }
        };
        let creds = Credentials {
            access_key_id: stored.access_key_id,
            secret_access_key: stored.secret_access_key,
            session_token: stored.session_token,
            expiration,
            account_id: stored.account_id,
            mfa_serial: stored.mfa_serial,
            created,
        };
        // As strict as what `add` takes: a damaged entry is never printed.
        creds.check_shape().map_err(|(what, _)| what.to_string())?;
        Ok(creds)
    }
}

fn optional_string(map: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::invalid(
            format!("the document's {key} is not a string"),
            "every field but Version is a JSON string",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 10:00:00 UTC);

    fn long_term() -> Credentials {
        Credentials::new(
            "AKIAIOSFODNN7EXAMPLE".into(),
            Secret::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()),
        )
    }

    fn temporary() -> Credentials {
        Credentials {
            access_key_id: "ASIAIOSFODNN7EXAMPLE".into(),
            session_token: Some(Secret::new("FwoGZXIvYXdzEXAMPLETOKEN".into())),
            expiration: Some(datetime!(2026-11-22 11:00:00 UTC)),
            ..long_term()
        }
    }

    #[test]
    fn key_ids() {
        assert!(is_valid_access_key_id("AKIAIOSFODNN7EXAMPLE"));
        assert!(is_valid_access_key_id("ASIA0123456789ABCDEF"));
        assert!(!is_valid_access_key_id("AKIAIOSFODNN7EXAMPL"));
        assert!(!is_valid_access_key_id("AKIAIOSFODNN7EXAMPLEX"));
        assert!(!is_valid_access_key_id("akiaIOSFODNN7EXAMPLE"));
        assert!(!is_valid_access_key_id("AKIAiosfodnn7example"));
        assert!(!is_valid_access_key_id("AIDAIOSFODNN7EXAMPLE"));
        assert!(!is_valid_access_key_id("AKIAIOSFODNN7EXAMPL\u{e9}"));
    }

    #[test]
    fn masking_keeps_only_the_ends() {
        assert_eq!(
            mask_access_key_id("AKIAIOSFODNN7EXAMPLE"),
            "AKIA************MPLE"
        );
        assert_eq!(mask_access_key_id("short"), "*****");
    }

    #[test]
    fn output_of_a_long_term_key_has_no_token_or_expiry() {
        assert_eq!(
            long_term().to_process_json().as_str(),
            r#"{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#
        );
    }

    #[test]
    fn output_of_temporary_credentials() {
        let mut creds = temporary();
        creds.account_id = Some("123456789012".into());
        assert_eq!(
            creds.to_process_json().as_str(),
            r#"{"Version":1,"AccessKeyId":"ASIAIOSFODNN7EXAMPLE","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","SessionToken":"FwoGZXIvYXdzEXAMPLETOKEN","Expiration":"2026-11-22T11:00:00Z","AccountId":"123456789012"}"#
        );
    }

    #[test]
    fn expiration_is_normalised_to_utc_whole_seconds() {
        let at = parse_expiration("2026-11-22T12:30:00.987+02:00").unwrap();
        assert_eq!(format_expiration(at), "2026-11-22T10:30:00Z");
        assert!(parse_expiration("2026-11-22 10:30").is_none());
        assert!(parse_expiration("tomorrow").is_none());
    }

    #[test]
    fn parses_what_export_credentials_prints() {
        let text = r#"{"Version": 1, "AccessKeyId": "ASIAIOSFODNN7EXAMPLE",
            "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "SessionToken": "FwoGZXIvYXdzEXAMPLETOKEN", "Expiration": "2026-11-22T11:00:00+00:00"}"#;
        assert_eq!(Credentials::from_process_json(text).unwrap(), temporary());
    }

    #[test]
    fn bad_documents_are_refused_without_echoing_values() {
        let cases = [
            ("not json", "not a JSON document"),
            ("", "stdin is empty"),
            (" \n", "stdin is empty"),
            ("[1,2]", "not an object"),
            (
                r#"{"Version":2,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3tvalue"}"#,
                "Version is not 1",
            ),
            (
                r#"{"AccessKeyId":"AKIAIOSFODNN7EXAMPLE"}"#,
                "no SecretAccessKey",
            ),
            (
                r#"{"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":12345678}"#,
                "SecretAccessKey is not a string",
            ),
            (
                r#"{"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3tvalue","Expiration":"soon"}"#,
                "not an RFC 3339",
            ),
        ];
        for (input, expected) in cases {
            let message = Credentials::from_process_json(input)
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{input}: {message}");
            assert!(!message.contains("s3cr3tvalue"), "{message}");
            assert!(!message.contains("12345678"), "{message}");
        }
    }

    #[test]
    fn validation() {
        assert!(long_term().validate(NOW).is_ok());
        assert!(temporary().validate(NOW).is_ok());

        let mut bad_id = long_term();
        bad_id.access_key_id = "AKIA123".into();
        assert!(bad_id
            .validate(NOW)
            .unwrap_err()
            .to_string()
            .contains("not valid"));

        let mut no_token = temporary();
        no_token.session_token = None;
        assert!(no_token
            .validate(NOW)
            .unwrap_err()
            .to_string()
            .contains("no session token"));

        let mut empty_secret = long_term();
        empty_secret.secret_access_key = Secret::new(String::new());
        assert!(empty_secret.validate(NOW).is_err());

        let mut expired = temporary();
        expired.expiration = Some(NOW);
        assert!(expired
            .validate(NOW)
            .unwrap_err()
            .to_string()
            .contains("not in the future"));

        let mut bad_account = long_term();
        bad_account.account_id = Some("12345".into());
        assert!(bad_account.validate(NOW).is_err());
    }

    #[test]
    fn expiry() {
        assert!(!long_term().is_expired(NOW));
        assert!(!temporary().is_expired(NOW));
        assert!(temporary().is_expired(datetime!(2026-11-22 11:00:00 UTC)));
    }

    #[test]
    fn stored_round_trip() {
        let mut with_mfa = long_term();
        with_mfa.mfa_serial = Some("arn:aws:iam::123456789012:mfa/helen".into());
        for creds in [long_term(), temporary(), with_mfa] {
            let bytes = creds.to_stored();
            assert_eq!(Credentials::from_stored(&bytes).unwrap(), creds);
        }
        let stored = String::from_utf8(temporary().to_stored().to_vec()).unwrap();
        assert!(stored.starts_with(r#"{"FormatVersion":1,"#), "{stored}");
    }

    #[test]
    fn corrupt_stored_values_are_reported_without_their_content() {
        for bytes in [
            &b"garbage s3cr3tvalue"[..],
            br#"{"FormatVersion":1}"#,
            br#"{"FormatVersion":9,"AccessKeyId":"A","SecretAccessKey":"s3cr3tvalue"}"#,
            br#"{"FormatVersion":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"x"}"#,
        ] {
            let reason = Credentials::from_stored(bytes).unwrap_err();
            assert!(!reason.contains("s3cr3tvalue"), "{reason}");
        }
    }
}
