//! Handing a URL to the user's browser: only a parsed `https://` URL (or
//! `http://` to this machine's loopback, where a local service answers),
//! always as one argument that no browser can read as an option, and on
//! Windows without `cmd`, whose parser would run what follows an `&`.

use crate::context::Env;
use crate::error::{Error, Result};

/// `text` as a URL a browser may be given: `https://HOST...`, or
/// `http://` to 127.0.0.1, `localhost` or `[::1]`; printable ASCII with
/// nothing a shell, `cmd` or a terminal would take for its own (no
/// space, quote, `<>`, `\`, `^`, backquote, `{|}`). `what` names the URL
/// in the error ("the verification URI").
pub fn checked_url<'a>(text: &'a str, what: &str) -> Result<&'a str> {
    let refuse = |why: &str| {
        Error::invalid(
            format!(
                "{what} '{}' is not a URL awscreds-rs opens: {why}",
                crate::error::one_line(text.escape_debug())
            ),
            "check the endpoint it came from (the start URL, AWS_ENDPOINT_URL_*); nothing was opened",
        )
    };
    if text.len() > 4096 {
        return Err(refuse("it is longer than 4,096 characters"));
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
    {
        return Err(refuse(
            "it holds a space, a control character, a quote or another character URLs escape",
        ));
    }
    let lower = text.to_ascii_lowercase();
    let (rest, secure) = if let Some(rest) = lower.strip_prefix("https://") {
        (rest, true)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (rest, false)
    } else {
        return Err(refuse("only https:// URLs are opened"));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(refuse("it names a user before the host"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    if host.is_empty() {
        return Err(refuse("it names no host"));
    }
    if !secure && !matches!(host, "127.0.0.1" | "localhost" | "::1") {
        return Err(refuse(
            "only https:// URLs are opened (http:// only to this machine)",
        ));
    }
    Ok(text)
}

/// Asks the platform's browser to open `url`, which [`checked_url`]
/// passed: `$BROWSER` (the first of a `:`-separated list, as xdg-open
/// reads it), else xdg-open where there is a display (Linux and the
/// BSDs), `open` on macOS, the URL handler of `rundll32` on Windows.
/// Whether one was started; its output is discarded.
pub fn open(env: &Env, url: &str) -> bool {
    use std::process::{Command, Stdio};
    // A URL that starts with a scheme never starts with `-`: no browser
    // takes it for an option.
    debug_assert!(!url.starts_with('-'));
    let browser = env
        .var("BROWSER")
        .and_then(|list| list.split(':').next().map(str::to_string))
        .filter(|b| !b.trim().is_empty());
    let mut cmd = if let Some(browser) = browser {
        Command::new(browser)
    } else if cfg!(windows) {
        let mut cmd = Command::new("rundll32");
        cmd.arg("url.dll,FileProtocolHandler");
        cmd
    } else if cfg!(target_os = "macos") {
        Command::new("open")
    } else if env.var("DISPLAY").is_some() || env.var("WAYLAND_DISPLAY").is_some() {
        Command::new("xdg-open")
    } else {
        return false;
    };
    cmd.arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_https_urls_and_loopback_http_pass() {
        for ok in [
            "https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH",
            "https://example.awsapps.com/start/#/device?a=1&b=2",
            "http://127.0.0.1:8080/start/#/device",
            "http://localhost/x",
            "http://[::1]:9/x",
        ] {
            assert!(checked_url(ok, "the URI").is_ok(), "{ok}");
        }
        for bad in [
            "--renderer-cmd-prefix=touch /tmp/PWN",
            "-https://x",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://evil.example/x",
            "http://127.0.0.1.evil.example/x",
            "https://",
            "https://user@evil.example/",
            "https://x/\x1b]8;;https://evil\x1b\\",
            "https://x/\x1b[2J",
            "https://x/ a",
            "https://x/\"&calc",
            "https://x/|calc",
            "https://x/\u{202e}",
        ] {
            assert!(checked_url(bad, "the URI").is_err(), "{bad:?}");
        }
    }
}
