//! IAM Identity Center: the harness's own local Identity Center
//! (tests/py/identity_center.py), checked against boto3's sso-oidc and sso
//! clients so that it speaks what AWS speaks.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use serde_json::Value;

/// The local Identity Center, stopped on drop.
pub struct IdentityCenter {
    child: Child,
    pub endpoint: String,
}

impl IdentityCenter {
    pub fn start(dir: &std::path::Path) -> IdentityCenter {
        let port_file = dir.join("identity-center.port");
        let child = Command::new(client(".venv/bin/python"))
            .arg(project_dir().join("tests/py/identity_center.py"))
            .arg(&port_file)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        wait_until(
            "the Identity Center listens",
            Duration::from_secs(20),
            || std::fs::read_to_string(&port_file).is_ok_and(|p| !p.is_empty()),
        );
        let port = std::fs::read_to_string(&port_file).unwrap();
        IdentityCenter {
            child,
            endpoint: format!("http://127.0.0.1:{}", port.trim()),
        }
    }
}

impl Drop for IdentityCenter {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[test]
fn the_local_identity_center_speaks_what_boto3_speaks() {
    let t = TestEnv::keyutils();
    let center = IdentityCenter::start(t.root());
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/sso_boto3.py"))
        .arg(&center.endpoint);
    let out = Run::new(cmd).ok();
    let seen: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(seen["pending"], "authorization_pending", "{seen}");
    assert_eq!(seen["slow_down"], "slow_down", "{seen}");
    assert_eq!(
        seen["refresh_token"], true,
        "a client with scopes gets a refresh token"
    );
    assert_eq!(
        seen["accounts"],
        serde_json::json!(["111111111100", "111111111101", "111111111102"]),
        "every page"
    );
    assert_eq!(seen["roles"], serde_json::json!(["ReadOnly", "Admin"]));
    assert_eq!(seen["role_key"], "ASIA");
    assert_eq!(seen["expiration_ms"], true);
    assert_eq!(seen["unauthorized"], "UnauthorizedException");
}
