//! A D-Bus session daemon of the test's own and, optionally, an unlocked
//! gnome-keyring on it: a real Secret Service that the harness starts and
//! stops itself.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A D-Bus session daemon and, optionally, gnome-keyring on it.
pub struct SecretService {
    bus: Child,
    keyring: Option<Child>,
    pub address: String,
}

impl SecretService {
    /// Starts a bus with no service activation (so nothing but what we start
    /// can own a name) and, when `with_keyring`, an unlocked gnome-keyring.
    pub(super) fn start(root: &Path, home: &Path, runtime: &Path, with_keyring: bool) -> Self {
        let config = root.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                root.join("bus").display()
            ),
        )
        .unwrap();
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus) must be installed");
        let mut address = String::new();
        let mut stdout = bus.stdout.take().unwrap();
        let mut byte = [0u8; 1];
        while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
            address.push(byte[0] as char);
        }
        let mut service = SecretService {
            bus,
            keyring: None,
            address,
        };
        if with_keyring {
            let mut keyring = Command::new("gnome-keyring-daemon")
                .args(["--foreground", "--unlock", "--components=secrets"])
                .env_clear()
                .env("HOME", home)
                .env("XDG_RUNTIME_DIR", runtime)
                .env("DBUS_SESSION_BUS_ADDRESS", &service.address)
                .env("PATH", std::env::var_os("PATH").unwrap())
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("gnome-keyring-daemon (Debian package gnome-keyring) must be installed");
            // The unlock password on stdin, then EOF.
            keyring
                .stdin
                .take()
                .unwrap()
                .write_all(b"test-password")
                .unwrap();
            service.keyring = Some(keyring);
            service.wait_for_name("org.freedesktop.secrets");
        }
        service
    }

    fn wait_for_name(&self, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let out = self.dbus_send(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                &[&format!("string:{name}")],
            );
            if out.contains("boolean true") {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("{name} did not appear on the test bus");
    }

    /// Calls a D-Bus method on this bus and returns the printed reply.
    pub fn dbus_send(&self, dest: &str, path: &str, method: &str, args: &[&str]) -> String {
        let out = Command::new("dbus-send")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .args([
                "--session",
                "--print-reply",
                &format!("--dest={dest}"),
                path,
                method,
            ])
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Locks the default collection, as a screen lock or a timeout would.
    pub fn lock(&self) {
        let reply = self.dbus_send(
            "org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            &["array:objpath:/org/freedesktop/secrets/collection/login"],
        );
        assert!(reply.contains("collection/login"), "lock failed: {reply}");
    }

    pub fn stop_keyring(&mut self) {
        if let Some(mut child) = self.keyring.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        self.stop_keyring();
        self.bus.kill().ok();
        self.bus.wait().ok();
    }
}
