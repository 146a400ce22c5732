//! moto's server (PyPI) as a local STS and IAM on 127.0.0.1, behind a
//! proxy of ours that counts and records the calls it sees, and can refuse
//! some of them as AWS would.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::client;

/// moto's server (PyPI) as a local STS, behind a proxy of ours that counts
/// and records the calls it sees. Both stop on drop.
pub struct LocalSts {
    moto: Child,
    /// The endpoint to give as AWS_ENDPOINT_URL_STS.
    pub endpoint: String,
    calls: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    refusals: Refusals,
}

/// Calls the proxy answers itself with an AWS error: (action, how many
/// more times, HTTP status, error code).
type Refusals = std::sync::Arc<std::sync::Mutex<Vec<(String, usize, u16, String)>>>;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl LocalSts {
    pub fn start() -> LocalSts {
        Self::launch(None)
    }

    /// moto checking every request's key and signature, as AWS does, once
    /// `open_calls` unauthenticated calls have set up a user.
    pub fn with_auth(open_calls: usize) -> LocalSts {
        Self::launch(Some(open_calls))
    }

    fn launch(open_calls: Option<usize>) -> LocalSts {
        let port = free_port();
        let mut moto = Command::new(client(".venv/bin/moto_server"));
        if let Some(n) = open_calls {
            moto.env("INITIAL_NO_AUTH_ACTION_COUNT", n.to_string());
        }
        let moto = moto
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let seen = calls.clone();
        let refusals = Refusals::default();
        let refuse = refusals.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let seen = seen.clone();
                let refuse = refuse.clone();
                std::thread::spawn(move || forward(client, port, &seen, &refuse));
            }
        });
        LocalSts {
            moto,
            endpoint,
            calls,
            refusals,
        }
    }

    /// The next `times` calls of `action` get AWS's error `code` with
    /// `status` instead of reaching moto.
    pub fn refuse(&self, action: &str, times: usize, status: u16, code: &str) {
        self.refusals
            .lock()
            .unwrap()
            .push((action.to_string(), times, status, code.to_string()));
    }

    /// Which key signed each call of `action`, and whether it came with a
    /// session token.
    pub fn signers(&self, action: &str) -> Vec<(String, bool)> {
        self.calls()
            .iter()
            .filter(|c| c.contains(&format!("Action={action}")))
            .map(|c| {
                let key = c
                    .split("signer=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .unwrap_or("")
                    .to_string();
                (key, c.contains(" token=yes"))
            })
            .collect()
    }

    /// The region each call of `action` was signed for.
    pub fn regions(&self, action: &str) -> Vec<String> {
        self.calls()
            .iter()
            .filter(|c| c.contains(&format!("Action={action}")))
            .map(|c| {
                c.split("region=")
                    .nth(1)
                    .and_then(|rest| rest.split_whitespace().next())
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }

    /// The bodies of the requests STS saw (form-encoded: `Action=...&...`).
    pub fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }

    pub fn count(&self, action: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.contains(&format!("Action={action}")))
            .count()
    }
}

/// Passes one request to moto with `Connection: close` and its answer back.
fn forward(
    client: std::net::TcpStream,
    port: u16,
    seen: &std::sync::Mutex<Vec<String>>,
    refusals: &std::sync::Mutex<Vec<(String, usize, u16, String)>>,
) {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::new(client.try_clone().unwrap());
    let mut head = Vec::new();
    let mut length = 0;
    let mut signer = String::new();
    let mut region = String::new();
    let mut token = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("authorization:") {
            if let Some(rest) = line.split("Credential=").nth(1) {
                let scope: Vec<&str> = rest.split('/').collect();
                signer = scope[0].to_string();
                region = scope.get(2).unwrap_or(&"").to_string();
            }
        }
        token |= lower.starts_with("x-amz-security-token:");
        if !lower.starts_with("connection:") {
            head.push(line);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let text = String::from_utf8_lossy(&body).into_owned();
    seen.lock().unwrap().push(format!(
        "{text} signer={signer} region={region} token={}",
        if token { "yes" } else { "no" }
    ));
    let refusal = {
        let mut refusals = refusals.lock().unwrap();
        refusals
            .iter_mut()
            .find(|(action, left, ..)| *left > 0 && text.contains(&format!("Action={action}&")))
            .map(|(_, left, status, code)| {
                *left -= 1;
                (*status, code.clone())
            })
    };
    if let Some((status, code)) = refusal {
        let body = format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
             <Message>refused by the test proxy</Message></Error>\
             <RequestId>test</RequestId></ErrorResponse>"
        );
        let mut client = client;
        let _ = write!(
            client,
            "HTTP/1.1 {status} Refused\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    // moto's server on a busy machine now and then drops a connection
    // before it answers: ask again, as an SDK's retry would, rather than
    // fail the test on the proxy's account.
    let ask = || -> std::io::Result<Vec<u8>> {
        let mut upstream = std::net::TcpStream::connect(("127.0.0.1", port))?;
        for line in &head {
            upstream.write_all(line.as_bytes())?;
        }
        upstream.write_all(b"Connection: close\r\n\r\n")?;
        upstream.write_all(&body)?;
        let mut answer = Vec::new();
        upstream.read_to_end(&mut answer)?;
        if answer.is_empty() {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(answer)
    };
    let mut tries = 0;
    let answer = loop {
        match ask() {
            Ok(answer) => break answer,
            Err(_) if tries < 5 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("moto_server did not answer: {e}"),
        }
    };
    let mut client = client;
    let _ = client.write_all(&answer);
}

impl Drop for LocalSts {
    fn drop(&mut self) {
        self.moto.kill().ok();
        self.moto.wait().ok();
    }
}
