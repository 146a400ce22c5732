//! Starting gnome-keyring without its words on the user's terminal.
//!
//! When nobody owns `org.freedesktop.secrets`, the session bus starts the
//! service its `.service` file names. gnome-keyring-daemon then prints
//! `GNOME_KEYRING_CONTROL=…` on its stdout, which is the bus daemon's, and
//! so the terminal of whoever started the bus (`dbus-run-session` in a
//! shell, a container's entry point). Where that file names
//! gnome-keyring-daemon, it is started here instead, the way the file
//! says but daemonized and with its output discarded; any other service
//! (KeePassXC, KWallet) is left to the bus. This runs only when the first
//! OpenSession found no owner: the usual call costs nothing more.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::context::Env;

/// The bus name the Secret Service owns.
const NAME: &str = "org.freedesktop.secrets";
/// The variables the daemon is started with: where it keeps its files,
/// the bus, and the display its unlock prompt shows on.
const KEPT: [&str; 11] = [
    "HOME",
    "PATH",
    "USER",
    "LANG",
    "XDG_RUNTIME_DIR",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
    "XDG_CURRENT_DESKTOP",
    "DBUS_SESSION_BUS_ADDRESS",
    "DISPLAY",
    "WAYLAND_DISPLAY",
];
/// How long the daemon may take to fork and detach.
const START_LIMIT: Duration = Duration::from_secs(5);

/// Where a session bus looks for `.service` files, in its order:
/// `$XDG_DATA_HOME` (else `~/.local/share`), then each of `$XDG_DATA_DIRS`
/// (else `/usr/local/share:/usr/share`), each with `dbus-1/services`.
fn service_dirs(env: &Env) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    match (env.var("XDG_DATA_HOME"), env.var("HOME")) {
        (Some(data), _) => roots.push(PathBuf::from(data)),
        (None, Some(home)) => roots.push(Path::new(&home).join(".local/share")),
        (None, None) => {}
    }
    let dirs = env
        .var("XDG_DATA_DIRS")
        .unwrap_or_else(|| "/usr/local/share:/usr/share".into());
    roots.extend(dirs.split(':').filter(|d| !d.is_empty()).map(PathBuf::from));
    roots
        .into_iter()
        .map(|root| root.join("dbus-1/services"))
        .collect()
}

/// The `Exec=` line of the first `.service` file that names `NAME`.
fn exec_line(dirs: &[PathBuf]) -> Option<String> {
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "service"))
            .collect();
        files.sort();
        for file in files {
            // A service file is a few lines; anything large is not one.
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            if text.len() > 16 * 1024 {
                continue;
            }
            if let Some(exec) = exec_of(&text) {
                return Some(exec);
            }
        }
    }
    None
}

/// The `Exec=` of a service file whose `Name=` is `NAME`.
fn exec_of(text: &str) -> Option<String> {
    let value = |key: &str| {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix(key))
            .filter_map(|rest| rest.trim_start().strip_prefix('='))
            .map(|v| v.trim().to_string())
            .next()
    };
    (value("Name").as_deref() == Some(NAME))
        .then(|| value("Exec"))
        .flatten()
}

/// The daemon to start, when the `Exec=` line runs gnome-keyring-daemon
/// as an absolute path: that program, to run with `--start
/// --components=secrets`.
fn gnome_keyring(exec: &str) -> Option<PathBuf> {
    let program = Path::new(exec.split_whitespace().next()?);
    (program.is_absolute() && program.file_name()? == "gnome-keyring-daemon")
        .then(|| program.to_path_buf())
}

/// Starts gnome-keyring for the Secret Service with its output discarded,
/// when that is what the bus would start; else does nothing and leaves
/// the start to the bus. Waits for the daemon to detach, at most a few
/// seconds. Whether it started one (which may still be taking the name
/// on the bus: the caller waits for that).
pub fn start_quietly(env: &Env) -> bool {
    let Some(program) = exec_line(&service_dirs(env)).and_then(|e| gnome_keyring(&e)) else {
        return false;
    };
    // Without --foreground it forks, detaches from this session and
    // process group, and its first process exits once the daemon runs.
    // It lives on: it gets the variables it needs, not this process's
    // (which may hold what AWS_SECRET_ACCESS_KEY holds).
    let mut command = Command::new(program);
    command.env_clear();
    for name in KEPT {
        if let Some(value) = env.var_os(name) {
            command.env(name, value);
        }
    }
    let Ok(mut child) = command
        .args(["--start", "--components=secrets"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let started = Instant::now();
    while started.elapsed() < START_LIMIT {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Err(_) => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

/// How long a daemon started here may take to own its name on the bus.
pub const OWNER_LIMIT: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_gnome_keyrings_own_service_file_is_started_here() {
        let debian = "[D-BUS Service]\nName=org.freedesktop.secrets\n\
                      Exec=/usr/bin/gnome-keyring-daemon --start --foreground --components=secrets\n";
        let exec = exec_of(debian).unwrap();
        assert_eq!(
            gnome_keyring(&exec),
            Some(PathBuf::from("/usr/bin/gnome-keyring-daemon"))
        );
        let keepass = "[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/usr/bin/keepassxc\n";
        assert_eq!(gnome_keyring(&exec_of(keepass).unwrap()), None);
        let other = "[D-BUS Service]\nName=org.freedesktop.Notifications\nExec=/usr/bin/gnome-keyring-daemon\n";
        assert_eq!(exec_of(other), None);
        assert_eq!(
            gnome_keyring("gnome-keyring-daemon --start"),
            None,
            "not on PATH"
        );
    }

    #[test]
    fn the_bus_dirs_are_searched_in_the_buses_order() {
        let env = Env::given([("HOME", "/h"), ("XDG_DATA_DIRS", "/a:/b")]);
        assert_eq!(
            service_dirs(&env),
            [
                PathBuf::from("/h/.local/share/dbus-1/services"),
                PathBuf::from("/a/dbus-1/services"),
                PathBuf::from("/b/dbus-1/services"),
            ]
        );
    }
}
