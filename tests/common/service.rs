//! A local fake of an AWS service: a script of tests/py/ (the Identity
//! Center, the sign-in service) that writes its port to a file and serves
//! on 127.0.0.1 until it is stopped, here on drop. Each has the test
//! controls `/test/calls` and `/test/secrets`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::{client, project_dir, wait_until, Run};

pub struct LocalService {
    child: Child,
    pub endpoint: String,
}

impl LocalService {
    /// Starts tests/py/`script`, its port file in `dir`.
    pub fn start(script: &str, dir: &Path) -> LocalService {
        let port_file = dir.join(format!("{script}.port"));
        let child = Command::new(client(".venv/bin/python"))
            .arg(project_dir().join("tests/py").join(script))
            .arg(&port_file)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        wait_until(
            &format!("{script} listens"),
            Duration::from_secs(20),
            || std::fs::read_to_string(&port_file).is_ok_and(|p| !p.is_empty()),
        );
        let port = std::fs::read_to_string(&port_file).unwrap();
        LocalService {
            child,
            endpoint: format!("http://127.0.0.1:{}", port.trim()),
        }
    }

    /// GET `path`'s JSON.
    pub fn get(&self, path: &str) -> Value {
        let mut cmd = Command::new(client(".venv/bin/python"));
        cmd.args([
            "-c",
            "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            &format!("{}{path}", self.endpoint),
        ]);
        serde_json::from_str(&Run::new(cmd).ok().stdout).unwrap()
    }

    /// POST `{}` to `path`.
    pub fn post(&self, path: &str) {
        self.post_json(path, "{}");
    }

    /// POST the JSON `body` to `path`.
    pub fn post_json(&self, path: &str, body: &str) {
        let mut cmd = Command::new(client(".venv/bin/python"));
        cmd.args([
            "-c",
            "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], data=sys.argv[2].encode()))",
            &format!("{}{path}", self.endpoint),
            body,
        ]);
        Run::new(cmd).ok();
    }

    /// How many times `operation` was called.
    pub fn calls(&self, operation: &str) -> usize {
        self.get("/test/calls")
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c.as_str() == Some(operation))
            .count()
    }
}

impl Drop for LocalService {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
