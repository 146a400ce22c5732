//! A command that runs while the test reads its stderr line by line (the
//! URL a sign-in prints) and writes its stdin (the code a user pastes).

use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: std::io::BufReader<std::process::ChildStderr>,
    seen: String,
}

impl Running {
    pub fn start(mut cmd: Command) -> Running {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdin = child.stdin.take();
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        Running {
            child,
            stdin,
            stderr,
            seen: String::new(),
        }
    }

    /// Reads stderr until a line holds `part`; that line.
    pub fn until(&mut self, part: &str) -> String {
        loop {
            let mut line = String::new();
            let read = std::io::BufRead::read_line(&mut self.stderr, &mut line).unwrap();
            assert!(read > 0, "ended before '{part}': {}", self.seen);
            self.seen.push_str(&line);
            if line.contains(part) {
                return line;
            }
        }
    }

    /// Writes `text` to stdin and closes it.
    pub fn type_in(&mut self, text: &str) {
        let mut stdin = self.stdin.take().expect("stdin is written once");
        stdin.write_all(text.as_bytes()).unwrap();
    }

    /// Waits for the end: whether it succeeded, and all of stderr.
    pub fn end(mut self) -> (bool, String) {
        drop(self.stdin.take());
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut self.stderr, &mut rest).unwrap();
        (self.child.wait().unwrap().success(), self.seen + &rest)
    }
}
