//! A hostile server for the tests: a plain HTTP/1.1 listener on 127.0.0.1
//! whose every answer a test scripts (status, headers, body, a delay
//! before it), so that a test can play a broken or malicious STS or
//! Identity Center that no real client library would let through. Each
//! request is recorded as `METHOD PATH BODY`. It stops with the test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted answer.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Waited before the answer is sent.
    pub delay: Duration,
}

impl Reply {
    /// `body` as `content_type`.
    pub fn typed(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    pub fn json(status: u16, body: &str) -> Reply {
        Reply::typed(status, "application/json", body)
    }

    pub fn xml(status: u16, body: &str) -> Reply {
        Reply::typed(status, "text/xml", body)
    }

    /// An AWS JSON error with its type in `x-amzn-ErrorType`.
    pub fn aws_error(status: u16, kind: &str, body: &str) -> Reply {
        let mut reply = Reply::json(status, body);
        reply.headers.push(("x-amzn-ErrorType".into(), kind.into()));
        reply
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Handler = dyn Fn(&str, &str, &str) -> Reply + Send + Sync;

/// The server; its URL is `endpoint`.
pub struct Scripted {
    pub endpoint: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    /// Serves every request with `handler(method, path, body)`.
    pub fn start(handler: impl Fn(&str, &str, &str) -> Reply + Send + Sync + 'static) -> Scripted {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                let handler = handler.clone();
                std::thread::spawn(move || answer(stream, &seen, &*handler));
            }
        });
        Scripted { endpoint, requests }
    }

    /// Every request so far, as `METHOD PATH BODY`.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// How many requests went to a path starting with `path`.
    pub fn count(&self, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.split(' ').nth(1).is_some_and(|p| p.starts_with(path)))
            .count()
    }
}

fn answer(stream: TcpStream, seen: &Mutex<Vec<String>>, handler: &Handler) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).unwrap_or(0) == 0 {
        return;
    }
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let body = String::from_utf8_lossy(&body).into_owned();
    let mut words = first.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or("").to_string(),
        words.next().unwrap_or("").to_string(),
    );
    seen.lock().unwrap().push(format!("{method} {path} {body}"));
    let reply = handler(&method, &path, &body);
    std::thread::sleep(reply.delay);
    let mut head = format!(
        "HTTP/1.1 {} Scripted\r\nContent-Length: {}\r\nConnection: close\r\nx-amzn-RequestId: test\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}
