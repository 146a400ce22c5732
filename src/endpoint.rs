//! The container credentials endpoint (`serve`, `exec --server`): the
//! protocol ECS serves to tasks, which every SDK's default chain reads
//! through `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
//!
//! std's `TcpListener` and a thread per connection: the endpoint answers
//! one GET on one path with a small JSON document, so an HTTP crate would
//! bring more parsing than it saves, and an async runtime would be a second
//! one beside the SDK's (which stays off the credential_process path).
//!
//! A connection past the first 512 at once is answered 503, and a request
//! head not complete within 2 s 408. What it refuses then, in this
//! order: a `Host` other than `127.0.0.1:PORT` or
//! `localhost:PORT` (403, a web page's DNS rebinding), a missing token
//! (401) or a wrong one (403, compared in constant time), another path
//! (404), another method (405). None of them carries a credential.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// The one path it answers.
pub const PATH: &str = "/credentials";
/// The two variables a client needs.
pub const URI_VAR: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
pub const TOKEN_VAR: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
/// Random bytes in the token: 256 bits, printed as hex.
const TOKEN_BYTES: usize = 32;
/// A request head larger than this is refused.
const MAX_HEAD: usize = 16 * 1024;
/// Connections handled at once; more are answered 503 and closed. Room
/// for a crowd of slow clients well below the process's usual limit of
/// 1,024 open files.
const MAX_CONNECTIONS: usize = 512;
/// How long a client may take to send its whole request head: a client
/// that sends a byte now and then (slowloris) loses its connection then,
/// not at its leisure.
const HEAD_LIMIT: Duration = Duration::from_secs(2);
/// How long a client may take to read the answer.
const WRITE_LIMIT: Duration = Duration::from_secs(5);
/// How long a request waits for a renewal that another request started
/// (STS still answering, or serve's terminal waiting for the MFA code)
/// before it is answered 500.
const RENEWAL_WAIT: Duration = Duration::from_secs(2);

/// Where the credentials come from: called on one renewal thread at a
/// time (and once by `warm`), so that concurrent requests share one call.
pub type Source = dyn Fn() -> Result<Credentials> + Send + Sync;

/// A bound endpoint, not serving yet.
pub struct Endpoint {
    listener: TcpListener,
    shared: Arc<Shared>,
}

/// What one request gets.
struct Answer {
    status: u16,
    reason: &'static str,
    body: Zeroizing<String>,
}

impl Answer {
    fn refusal(status: u16, reason: &'static str, code: &str, message: &str) -> Answer {
        let body = serde_json::json!({ "Code": code, "Message": message }).to_string();
        Answer {
            status,
            reason,
            body: Zeroizing::new(body),
        }
    }
}

impl Endpoint {
    /// Binds 127.0.0.1 on `port` (0: a free one) and draws the token.
    /// `source` gives the credentials to serve, which are served while
    /// more than `margin` is left (botocore's 15 minutes for STS sessions,
    /// 5 for a sign-in's 15-minute credentials).
    pub fn bind(port: u16, source: Box<Source>, margin: time::Duration) -> Result<Endpoint> {
        let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
            Error::io(
                format!("cannot listen on 127.0.0.1:{port} (pass another --port, or none for a free one)"),
                e,
            )
        })?;
        let port = listener
            .local_addr()
            .map_err(|e| Error::io("cannot read the endpoint's port", e))?
            .port();
        let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
        getrandom::fill(bytes.as_mut()).map_err(|e| {
            Error::invalid(
                format!("the system gave no random bytes for the endpoint's token ({e})"),
                "check the system's random source (getrandom, /dev/urandom)",
            )
        })?;
        let mut token = Zeroizing::new(String::with_capacity(TOKEN_BYTES * 2));
        for b in bytes.iter() {
            token.push_str(&format!("{b:02x}"));
        }
        Ok(Endpoint {
            listener,
            shared: Arc::new(Shared {
                port,
                token,
                source,
                margin,
                state: Mutex::new(State::default()),
                renewed: Condvar::new(),
                max_connections: MAX_CONNECTIONS,
                open: AtomicUsize::new(0),
            }),
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{PATH}", self.shared.port)
    }

    pub fn token(&self) -> &str {
        &self.shared.token
    }

    /// Gets the first credentials now, before anything asks (an MFA code
    /// is then asked while the user is looking, for as long as it takes).
    pub fn warm(&self) -> Result<()> {
        let creds = self.shared.fetch()?;
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .cached = Some(creds);
        Ok(())
    }

    /// The two variables a client is given, as (name, value).
    pub fn variables(&self) -> [(&'static str, String); 2] {
        [
            (URI_VAR, self.url()),
            (TOKEN_VAR, self.shared.token.to_string()),
        ]
    }

    /// Answers requests until the process ends. The credentials are kept
    /// in memory while they have more than the refresh margin left; after
    /// that `source` is asked again (it reads the store's cache, or STS).
    pub fn serve(self) {
        let shared = self.shared;
        for stream in self.listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            if shared.open.fetch_add(1, Ordering::SeqCst) >= shared.max_connections {
                shared.open.fetch_sub(1, Ordering::SeqCst);
                // Said at once, without reading the request: the answer
                // fits the socket's buffer, and the time-out bounds it.
                let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                drain(&mut stream);
                send(
                    &mut stream,
                    &Answer::refusal(
                        503,
                        "Service Unavailable",
                        "Busy",
                        "too many connections at once; try again",
                    ),
                );
                continue;
            }
            let shared = shared.clone();
            let spawned = std::thread::Builder::new()
                .name("endpoint".into())
                .spawn(move || {
                    shared.handle(stream);
                    shared.open.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                // No thread to answer with: the connection is closed.
                continue;
            }
        }
    }
}

struct Shared {
    port: u16,
    token: Zeroizing<String>,
    source: Box<Source>,
    /// Credentials are served while more than this is left.
    margin: time::Duration,
    state: Mutex<State>,
    /// Told when a renewal ends, well or not.
    renewed: Condvar,
    /// [`MAX_CONNECTIONS`], or fewer in the unit test.
    max_connections: usize,
    open: AtomicUsize,
}

/// What the requests share about the credentials.
#[derive(Default)]
struct State {
    cached: Option<Credentials>,
    /// A renewal is asking the source now.
    renewing: bool,
    /// Why the last renewal failed (cleared when the next one starts).
    failed: Option<String>,
}

impl Shared {
    fn handle(self: &Arc<Self>, mut stream: TcpStream) {
        let _ = stream.set_write_timeout(Some(WRITE_LIMIT));
        let answer = match read_head(&mut stream, Instant::now() + HEAD_LIMIT) {
            Head::Complete(head) => self.answer(&head),
            Head::Late => Answer::refusal(
                408,
                "Request Timeout",
                "RequestTimeout",
                "the request head did not arrive within 2 seconds",
            ),
            Head::Bad => Answer::refusal(400, "Bad Request", "BadRequest", "not an HTTP request"),
        };
        send(&mut stream, &answer);
    }

    fn answer(self: &Arc<Self>, head: &str) -> Answer {
        let request = match Request::parse(head) {
            Ok(request) => request,
            Err(why) => return Answer::refusal(400, "Bad Request", "BadRequest", why),
        };
        if !request.host.is_some_and(|h| is_own_host(h, self.port)) {
            return Answer::refusal(
                403,
                "Forbidden",
                "ForeignHost",
                "the Host header must be 127.0.0.1:PORT or localhost:PORT",
            );
        }
        match request.authorization {
            None => return Answer::refusal(
                401,
                "Unauthorized",
                "MissingToken",
                "send the token of AWS_CONTAINER_AUTHORIZATION_TOKEN in the Authorization header",
            ),
            Some(given) if !same(given.as_bytes(), self.token.as_bytes()) => {
                return Answer::refusal(
                    403,
                    "Forbidden",
                    "WrongToken",
                    "the token is not this endpoint's",
                )
            }
            Some(_) => {}
        }
        if request.path != PATH {
            return Answer::refusal(
                404,
                "Not Found",
                "NotFound",
                "the credentials are at /credentials",
            );
        }
        if request.method != "GET" {
            return Answer::refusal(
                405,
                "Method Not Allowed",
                "MethodNotAllowed",
                "only GET is answered",
            );
        }
        match self.credentials() {
            Ok(body) => Answer {
                status: 200,
                reason: "OK",
                body,
            },
            Err(message) => Answer::refusal(
                500,
                "Internal Server Error",
                "CredentialsUnavailable",
                &message,
            ),
        }
    }

    /// The cached credentials while fresh, else the source's. The source
    /// is asked on a thread of its own, one renewal at a time; every
    /// request waits for it up to [`RENEWAL_WAIT`] and is then answered
    /// with an error that says a renewal is under way, so that a slow STS
    /// or an MFA code awaited on serve's terminal holds no client longer
    /// than that (the JS SDK gives up after 1 s anyway).
    fn credentials(self: &Arc<Self>) -> std::result::Result<Zeroizing<String>, String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if fresh(&state.cached, self.margin) {
            return served(&state.cached).map_err(|e| crate::error::one_line(e.report()));
        }
        if !state.renewing {
            state.renewing = true;
            state.failed = None;
            let shared = Arc::clone(self);
            let started = std::thread::Builder::new()
                .name("renewal".into())
                .spawn(move || shared.renew());
            if started.is_err() {
                state.renewing = false;
                return Err("no thread could be started to renew the credentials".into());
            }
        }
        let (state, _) = self
            .renewed
            .wait_timeout_while(state, RENEWAL_WAIT, |s| {
                s.renewing && !fresh(&s.cached, self.margin)
            })
            .unwrap_or_else(|e| e.into_inner());
        if fresh(&state.cached, self.margin) {
            return served(&state.cached).map_err(|e| crate::error::one_line(e.report()));
        }
        if let Some(failed) = &state.failed {
            return Err(failed.clone());
        }
        Err(crate::error::one_line(Error::invalid(
            "the credentials are being renewed and are not ready yet \
             (STS has not answered, or serve's terminal waits for the MFA code)",
            "type the MFA code in serve's terminal if it asks for one, then try again",
        )))
    }

    /// Asks the source and keeps what it gave (or why it failed), then
    /// tells the waiting requests.
    fn renew(&self) {
        let result = self.fetch();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(creds) => state.cached = Some(creds),
            Err(e) => state.failed = Some(crate::error::one_line(e.report())),
        }
        state.renewing = false;
        self.renewed.notify_all();
    }

    /// The source's credentials, if the endpoint may serve them.
    fn fetch(&self) -> Result<Credentials> {
        let creds = (self.source)()?;
        if !fresh(&Some(creds.clone()), self.margin) {
            return Err(Error::invalid(
                format!(
                    "the credentials at hand expire within {} minutes, or are not temporary",
                    self.margin.whole_minutes()
                ),
                "store a long-term key or a role for this NAME: the endpoint serves sessions made from it",
            ));
        }
        Ok(creds)
    }
}

/// Whether cached credentials may be served now: more than `margin` left.
fn fresh(cached: &Option<Credentials>, margin: time::Duration) -> bool {
    let now = OffsetDateTime::now_utc();
    cached
        .as_ref()
        .and_then(|c| c.expiration)
        .is_some_and(|at| at - now > margin)
}

/// The document for cached credentials.
fn served(cached: &Option<Credentials>) -> Result<Zeroizing<String>> {
    cached
        .as_ref()
        .and_then(Credentials::to_container_json)
        .ok_or_else(|| {
            Error::invalid(
                "the credentials at hand are not temporary",
                "the endpoint serves sessions only",
            )
        })
}

/// Writes the answer and closes the connection; a client gone meanwhile
/// is no error of ours.
fn send(stream: &mut TcpStream, answer: &Answer) {
    let mut response = Zeroizing::new(format!(
        "HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n{}\r\n",
        answer.status,
        answer.reason,
        answer.body.len(),
        if answer.status == 405 {
            "Allow: GET\r\n"
        } else {
            ""
        },
    ));
    response.push_str(&answer.body);
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

/// Reads what a client sent so far without waiting, so that closing the
/// connection does not reset it before the client reads the answer.
fn drain(stream: &mut TcpStream) {
    if stream.set_nonblocking(true).is_ok() {
        let mut chunk = [0u8; 4096];
        for _ in 0..4 {
            if !matches!(stream.read(&mut chunk), Ok(n) if n > 0) {
                break;
            }
        }
        let _ = stream.set_nonblocking(false);
    }
}

/// The parts of a request head the endpoint looks at.
#[derive(Debug, PartialEq, Eq)]
struct Request<'a> {
    method: &'a str,
    path: &'a str,
    host: Option<&'a str>,
    authorization: Option<&'a str>,
}

impl<'a> Request<'a> {
    fn parse(head: &'a str) -> std::result::Result<Request<'a>, &'static str> {
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (first.next(), first.next(), first.next(), first.next())
        else {
            return Err("the request line is not METHOD PATH HTTP/1.x");
        };
        if !version.starts_with("HTTP/1.") {
            return Err("only HTTP/1.x is spoken");
        }
        let path = target.split('?').next().unwrap_or(target);
        let mut request = Request {
            method,
            path,
            host: None,
            authorization: None,
        };
        for line in lines.filter(|l| !l.is_empty()) {
            let Some((name, value)) = line.split_once(':') else {
                return Err("a header line has no colon");
            };
            let slot = if name.eq_ignore_ascii_case("host") {
                &mut request.host
            } else if name.eq_ignore_ascii_case("authorization") {
                &mut request.authorization
            } else {
                continue;
            };
            // Two of either is a request built to confuse: refused.
            if slot.replace(value.trim()).is_some() {
                return Err("a Host or Authorization header is given twice");
            }
        }
        Ok(request)
    }
}

/// What came of reading a request head.
enum Head {
    Complete(String),
    /// Not complete by the deadline.
    Late,
    /// Too large, not UTF-8, or the connection ended first.
    Bad,
}

/// Reads up to the blank line that ends the head, by `deadline` in all
/// (each read waits only for what is left of it).
fn read_head(stream: &mut TcpStream, deadline: Instant) -> Head {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Head::Late;
        }
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Head::Late
            }
            Err(_) => return Head::Bad,
        };
        if n == 0 || head.len() + n > MAX_HEAD {
            return Head::Bad;
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Head::Bad;
    };
    head.truncate(end);
    match String::from_utf8(head) {
        Ok(text) => Head::Complete(text),
        Err(_) => Head::Bad,
    }
}

fn is_own_host(host: &str, port: u16) -> bool {
    let Some((name, given_port)) = host.rsplit_once(':') else {
        return false;
    };
    given_port == port.to_string()
        && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// Equal bytes, in time that depends on the lengths alone (the token's
/// length is no secret: it is always 64 hex digits).
fn same(given: &[u8], token: &[u8]) -> bool {
    if given.len() != token.len() {
        return false;
    }
    let diff = given
        .iter()
        .zip(token)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::REFRESH_MARGIN;

    #[test]
    fn request_heads() {
        let r = Request::parse(
            "GET /credentials?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nauthorization:  abc \r\nUser-Agent: x",
        )
        .unwrap();
        assert_eq!(
            r,
            Request {
                method: "GET",
                path: "/credentials",
                host: Some("127.0.0.1:8080"),
                authorization: Some("abc"),
            }
        );
        assert!(Request::parse("GET /credentials").is_err());
        assert!(Request::parse("GET / HTTP/2").is_err());
        assert!(Request::parse("GET / HTTP/1.1\r\nHost: a\r\nhost: b").is_err());
        assert!(Request::parse("GET / HTTP/1.1\r\nbroken").is_err());
    }

    #[test]
    fn hosts() {
        assert!(is_own_host("127.0.0.1:8080", 8080));
        assert!(is_own_host("LOCALHOST:8080", 8080));
        assert!(!is_own_host("127.0.0.1:8081", 8080));
        assert!(!is_own_host("evil.example:8080", 8080));
        assert!(!is_own_host("127.0.0.1", 8080));
        assert!(!is_own_host("127.0.0.1.evil.example:8080", 8080));
    }

    #[test]
    fn past_the_limit_a_connection_is_told_503_and_a_silent_one_408() {
        let mut endpoint =
            Endpoint::bind(0, Box::new(|| Err(Error::Reported)), REFRESH_MARGIN).unwrap();
        Arc::get_mut(&mut endpoint.shared).unwrap().max_connections = 2;
        let shared = endpoint.shared.clone();
        let port = shared.port;
        std::thread::spawn(move || endpoint.serve());
        let connect = || {
            let c = TcpStream::connect(("127.0.0.1", port)).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            c
        };
        let held = [connect(), connect()];
        // Until both are being read (each thread waits for its head).
        let start = Instant::now();
        while shared.open.load(Ordering::SeqCst) < 2 {
            assert!(start.elapsed() < Duration::from_secs(10), "never held");
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut answer = String::new();
        let _ = connect().read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer:?}");
        for mut c in held {
            let mut answer = String::new();
            let _ = c.read_to_string(&mut answer);
            assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
        }
    }

    #[test]
    fn tokens() {
        assert!(same(b"abcd", b"abcd"));
        assert!(!same(b"abce", b"abcd"));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"abcd"));
        let bind = || Endpoint::bind(0, Box::new(|| Err(Error::Reported)), REFRESH_MARGIN).unwrap();
        let e = bind();
        assert_eq!(e.token().len(), 64);
        assert!(e.token().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(e.token(), bind().token());
    }
}
