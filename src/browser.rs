//! The browser's part in a sign-in: handing it a URL (only a parsed
//! `https://` URL, or `http://` to this machine's loopback, always as one
//! argument that no browser can read as an option, and on Windows without
//! `cmd`, whose parser would run what follows an `&`); deciding whether it
//! can come back to this machine; and the OAuth authorization code with
//! PKCE (RFC 7636): the verifier and `state`, and the loopback address the
//! browser comes back to with the code. Identity Center's `sso login` and
//! AWS's own sign-in use it as it is.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::context::Env;
use crate::error::{one_line, Error, Result, SignInFailure};
use crate::secret::Secret;

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

/// Runs the browser command `command` (split as the platform's shell
/// would: `firefox -P work`) with `url` as its last argument. Whether it
/// was started; its output is discarded.
pub fn open_with(command: &str, url: &str) -> bool {
    use std::process::{Command, Stdio};
    debug_assert!(!url.starts_with('-'));
    let Ok(words) = crate::shellwords::split(command) else {
        return false;
    };
    let Some((program, args)) = words.split_first() else {
        return false;
    };
    Command::new(program)
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}

/// Why the browser could not come back to this machine's loopback, so
/// that a sign-in should use a code approved elsewhere instead: over SSH
/// (the browser is on another machine); on Linux and the BSDs, with no
/// display and no `BROWSER` (nothing to show a browser on); and, unless
/// the URL is only to be printed (`print_only`), with nothing to open
/// one (neither `BROWSER` nor xdg-open). `None`: the loopback flow can
/// work.
pub fn cannot_come_back(env: &Env, print_only: bool) -> Option<&'static str> {
    let set = |name| env.var(name).is_some();
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return Some("this is an SSH session, so the browser is on another machine");
    }
    if cfg!(all(unix, not(target_os = "macos"))) {
        if !(set("DISPLAY") || set("WAYLAND_DISPLAY") || set("BROWSER")) {
            return Some(
                "there is no display (DISPLAY, WAYLAND_DISPLAY) or BROWSER to open a browser on",
            );
        }
        let opener = set("BROWSER")
            || env
                .var_os("PATH")
                .is_some_and(|path| which::which_in("xdg-open", Some(path), ".").is_ok());
        if !print_only && !opener {
            return Some("no browser can be opened here (set BROWSER, or install xdg-utils)");
        }
    }
    None
}

/// Unpadded base64url, as PKCE and `state` are written.
fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `n` bytes from the OS's random source, as base64url.
fn random(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::invalid(
            format!("the system gave no random bytes for the sign-in ({e})"),
            "check the system's random source (getrandom, /dev/urandom)",
        )
    })?;
    Ok(base64url(&bytes))
}

/// One authorization-code sign-in's secrets: the PKCE verifier (64
/// characters, from 48 random bytes) that only this process knows, its
/// S256 challenge that the authorize URL carries, and the `state` the
/// browser must bring back.
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
    pub state: String,
}

impl Pkce {
    pub fn new() -> Result<Pkce> {
        let verifier = random(48)?;
        let challenge = base64url(&Sha256::digest(verifier.as_bytes()));
        Ok(Pkce {
            verifier: Secret::new(verifier),
            challenge,
            state: random(32)?,
        })
    }
}

/// `base?key=value&…`, each value form-encoded.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{base}?{query}")
}

/// The path the browser comes back to, as the AWS CLI's is.
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// How long a sign-in in the browser is waited for.
pub const SIGN_IN_LIMIT: Duration = Duration::from_secs(10 * 60);
/// What one request to the callback may take and hold.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);
const REQUEST_BYTES: usize = 16 * 1024;

/// A listener on 127.0.0.1 only (never every interface, as the AWS CLI
/// listens), on a port the system picks, for the browser's requests.
struct Loopback {
    listener: TcpListener,
    port: u16,
}

impl Loopback {
    fn bind() -> Result<Loopback> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .map_err(|e| Error::io("cannot listen on 127.0.0.1 for the browser", e))?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the listener's port", e))?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::io("cannot set up the listener", e))?;
        Ok(Loopback { listener, port })
    }

    /// The next connection, or `None` once `limit` has passed since
    /// `started`.
    fn next(&self, started: Instant, limit: Duration) -> Result<Option<TcpStream>> {
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => return Ok(Some(stream)),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if started.elapsed() >= limit {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(Error::io("cannot take the browser's request", e)),
            }
        }
    }
}

/// The address on this machine's loopback that the browser comes back to
/// with the code.
pub struct Callback {
    loopback: Loopback,
}

/// What came back in the browser.
pub enum Returned {
    /// The authorization code.
    Code(Secret),
    /// The service said no (`error`, `error_description`), already fit
    /// for one line.
    Refused(String),
}

impl Callback {
    pub fn bind() -> Result<Callback> {
        Ok(Callback {
            loopback: Loopback::bind()?,
        })
    }

    /// `http://127.0.0.1:PORT/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.loopback.port)
    }

    /// Waits up to `limit` for the one request on the callback's path
    /// (requests elsewhere, a favicon, get a 404 and are not it), checks
    /// its `state`, answers the browser with a short page, and closes.
    /// `again` is the command that starts the sign-in anew, for the
    /// errors.
    pub fn wait(self, state: &str, limit: Duration, again: &str) -> Result<Returned> {
        let started = Instant::now();
        while let Some(stream) = self.loopback.next(started, limit)? {
            if let Some(returned) = answer(stream, state, again)? {
                return Ok(returned);
            }
        }
        Err(Error::SignIn {
            failure: SignInFailure::TimedOut(limit.as_secs() / 60),
            again: again.to_string(),
        })
    }
}

/// The target of one GET request on `stream` (empty for anything else),
/// read within [`REQUEST_LIMIT`] and [`REQUEST_BYTES`].
fn get_target(stream: &mut TcpStream) -> String {
    // A connection that says nothing is dropped, not waited on for ever.
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(REQUEST_LIMIT));
    let _ = stream.set_write_timeout(Some(REQUEST_LIMIT));
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < REQUEST_BYTES {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    text.lines()
        .next()
        .and_then(|line| line.strip_prefix("GET "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or("")
        .to_string()
}

/// One request on the callback: `None` when it was not the callback's.
fn answer(mut stream: TcpStream, state: &str, again: &str) -> Result<Option<Returned>> {
    let target = get_target(&mut stream);
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if path != CALLBACK_PATH {
        reply(&mut stream, "404 Not Found", "Nothing here.");
        return Ok(None);
    }
    let mut code = None;
    let mut came_state = None;
    let mut error = None;
    let mut description = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match &*key {
            "code" => code = Some(value.into_owned()),
            "state" => came_state = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            _ => {}
        }
    }
    // Compared whole, in constant time over the expected length: a page
    // that is not this sign-in's cannot bring a code of its own.
    let same_state = came_state.as_deref().is_some_and(|s| {
        s.len() == state.len()
            && s.bytes()
                .zip(state.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !same_state {
        reply(
            &mut stream,
            "400 Bad Request",
            "This sign-in was not started here. Nothing was signed in; close this page.",
        );
        return Err(Error::SignIn {
            failure: SignInFailure::WrongState,
            again: again.to_string(),
        });
    }
    if let Some(error) = error {
        reply(
            &mut stream,
            "200 OK",
            "The sign-in was refused. Nothing was signed in; you can close this page.",
        );
        let said = match description {
            Some(d) => format!("{}: {}", one_line(&error), one_line(&d)),
            None => one_line(&error),
        };
        return Ok(Some(Returned::Refused(said.chars().take(300).collect())));
    }
    match code.filter(|c| !c.is_empty() && c.len() <= 4096) {
        Some(code) => {
            reply(
                &mut stream,
                "200 OK",
                "Signed in. You can close this page and go back to the terminal.",
            );
            Ok(Some(Returned::Code(Secret::new(code))))
        }
        None => {
            reply(
                &mut stream,
                "400 Bad Request",
                "No code came back. Nothing was signed in.",
            );
            Err(Error::SignIn {
                failure: SignInFailure::NoCode,
                again: again.to_string(),
            })
        }
    }
}

/// A single-use address on this machine's loopback that sends the
/// browser on to a URL that is itself a credential (the console's login
/// link): the browser is given `http://127.0.0.1:PORT/RANDOM`, which is
/// worth nothing once used, so the credential is never on a command line,
/// in an environment or in a file. The one GET on the random path is
/// answered with a redirect (not cached, no referrer); anything else, a
/// 404.
pub struct Handoff {
    loopback: Loopback,
    path: String,
}

impl Handoff {
    pub fn bind() -> Result<Handoff> {
        Ok(Handoff {
            loopback: Loopback::bind()?,
            path: format!("/{}", random(32)?),
        })
    }

    /// What the browser is given.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.loopback.port, self.path)
    }

    /// Waits up to `limit` for the browser's one request, sends it on to
    /// `target`, and closes.
    pub fn serve(self, target: &Secret, limit: Duration) -> Result<()> {
        let started = Instant::now();
        while let Some(mut stream) = self.loopback.next(started, limit)? {
            if get_target(&mut stream) != self.path {
                reply(&mut stream, "404 Not Found", "Nothing here.");
                continue;
            }
            let _ = write!(
                stream,
                "HTTP/1.1 302 Found\r\nLocation: {}\r\nContent-Length: 0\r\n\
                 Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
                 Connection: close\r\n\r\n",
                target.expose()
            );
            let _ = stream.flush();
            return Ok(());
        }
        Err(Error::invalid(
            format!(
                "the browser did not open {} within {} s; the link was not used",
                self.url(),
                limit.as_secs()
            ),
            "check the browser command (BROWSER, --browser), or give --print",
        ))
    }
}

/// A short page for the browser; it is told to send nothing back.
fn reply(stream: &mut TcpStream, status: &str, words: &str) {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>awscreds-rs</title></head>\
         <body><p>awscreds-rs: {words}</p></body></html>"
    );
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
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

    #[test]
    fn the_verifier_and_challenge_are_as_rfc_7636_says() {
        let p = Pkce::new().unwrap();
        let v = p.verifier.expose();
        assert!((43..=128).contains(&v.len()), "{}", v.len());
        assert!(v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)));
        assert_eq!(p.challenge, base64url(&Sha256::digest(v.as_bytes())));
        assert!(!p.challenge.contains('='));
        // RFC 7636 appendix B's example.
        assert_eq!(
            base64url(&Sha256::digest(
                b"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
            )),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_ne!(Pkce::new().unwrap().state, p.state);
    }

    fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(s, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn the_callback_takes_one_request_on_its_path_with_the_state() {
        let cb = Callback::bind().unwrap();
        let port = cb.loopback.port;
        assert_eq!(
            cb.redirect_uri(),
            format!("http://127.0.0.1:{port}/oauth/callback")
        );
        let browser = std::thread::spawn(move || {
            let other = get(port, "/favicon.ico");
            let back = get(port, "/oauth/callback?code=c%2B1&state=s-1");
            (other, back)
        });
        let got = cb.wait("s-1", Duration::from_secs(20), "again").unwrap();
        let (other, back) = browser.join().unwrap();
        assert!(other.starts_with("HTTP/1.1 404"), "{other}");
        assert!(
            back.starts_with("HTTP/1.1 200") && back.contains("Signed in"),
            "{back}"
        );
        match got {
            Returned::Code(code) => assert_eq!(code.expose(), "c+1"),
            Returned::Refused(why) => panic!("{why}"),
        }
        // Closed once it came back.
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn a_handoff_sends_one_request_on_its_path_and_no_other() {
        let handoff = Handoff::bind().unwrap();
        let url = handoff.url();
        let path = url.trim_start_matches("http://127.0.0.1:");
        let (port, path) = path.split_once('/').unwrap();
        let port: u16 = port.parse().unwrap();
        assert!(path.len() >= 43, "{path}");
        let path = format!("/{path}");
        let t = std::thread::spawn(move || {
            let elsewhere = get(port, "/guess");
            let it = get(port, &path);
            (elsewhere, it)
        });
        handoff
            .serve(
                &Secret::new("https://x/federation?SigninToken=t".into()),
                Duration::from_secs(20),
            )
            .unwrap();
        let (elsewhere, it) = t.join().unwrap();
        assert!(elsewhere.starts_with("HTTP/1.1 404"), "{elsewhere}");
        assert!(it.starts_with("HTTP/1.1 302"), "{it}");
        assert!(
            it.contains("Location: https://x/federation?SigninToken=t\r\n"),
            "{it}"
        );
        assert!(
            it.contains("Cache-Control: no-store") && it.contains("Referrer-Policy: no-referrer")
        );
        assert!(
            TcpStream::connect(("127.0.0.1", port)).is_err(),
            "closed once used"
        );

        let handoff = Handoff::bind().unwrap();
        let e = handoff
            .serve(&Secret::new("https://x".into()), Duration::from_millis(100))
            .unwrap_err();
        assert!(e.to_string().contains("did not open"), "{e}");
    }

    #[test]
    fn a_wrong_state_or_a_refusal_is_not_a_code() {
        let cb = Callback::bind().unwrap();
        let port = cb.loopback.port;
        let t = std::thread::spawn(move || get(port, "/oauth/callback?code=c&state=other"));
        let e = cb
            .wait("s-1", Duration::from_secs(20), "again")
            .err()
            .unwrap();
        assert!(e.to_string().contains("not this sign-in's"), "{e}");
        assert!(t.join().unwrap().starts_with("HTTP/1.1 400"));

        let cb = Callback::bind().unwrap();
        let port = cb.loopback.port;
        let t = std::thread::spawn(move || {
            get(
                port,
                "/oauth/callback?error=access_denied&error_description=no%0A%1b[2J&state=s",
            )
        });
        match cb.wait("s", Duration::from_secs(20), "again").unwrap() {
            Returned::Refused(why) => assert_eq!(why, "access_denied: no??[2J"),
            Returned::Code(_) => panic!("a code"),
        }
        t.join().unwrap();

        let cb = Callback::bind().unwrap();
        let e = cb
            .wait("s", Duration::from_millis(100), "again")
            .err()
            .unwrap();
        assert!(e.to_string().contains("did not come back"), "{e}");
    }

    #[test]
    fn the_loopback_flow_is_not_chosen_where_the_browser_cannot_come_back() {
        let env = |vars: &[(&str, &str)]| Env::given(vars.iter().copied());
        let desktop = cfg!(all(unix, not(target_os = "macos")));
        let ssh = env(&[
            ("SSH_CONNECTION", "1 2 3 4"),
            ("DISPLAY", ":0"),
            ("BROWSER", "b"),
        ]);
        assert!(cannot_come_back(&ssh, false).is_some());
        assert!(cannot_come_back(&env(&[("SSH_TTY", "/dev/pts/1")]), true).is_some());
        assert!(cannot_come_back(&env(&[("BROWSER", "w3m")]), false).is_none());
        // A display, but nothing on PATH to open a browser with.
        let bare = env(&[("DISPLAY", ":0"), ("PATH", "/nonexistent")]);
        assert_eq!(cannot_come_back(&bare, false).is_some(), desktop);
        assert!(cannot_come_back(&bare, true).is_none());
        assert_eq!(cannot_come_back(&env(&[]), true).is_some(), desktop);
    }
}
