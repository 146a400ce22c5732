//! What a user reads is generated from one source and stays true: the man
//! page is fresh and lint-clean and names every command and flag, every
//! `--help` has an example, completions offer real profile names and NAMEs,
//! and every README block marked `sh runnable` runs.

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::*;

fn help(args: &[&str]) -> String {
    let out = std::process::Command::new(bin())
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The visible subcommands, from `--help`.
fn subcommands() -> Vec<String> {
    let top = help(&[]);
    let section = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap();
    section
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| *w != "help")
        .map(String::from)
        .collect()
}

/// The long flags a `--help` lists.
fn flags(text: &str) -> BTreeSet<String> {
    text.split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == '<' || c == '=')
        .filter(|w| {
            w.starts_with("--")
                && w.len() > 2
                && w[2..].chars().all(|c| c.is_ascii_lowercase() || c == '-')
        })
        .map(String::from)
        .collect()
}

#[test]
fn the_committed_man_page_is_fresh_and_lint_clean() {
    let fresh = std::process::Command::new(bin())
        .arg("man")
        .output()
        .unwrap();
    let committed = fs::read_to_string(project_dir().join("man/awscreds-rs.1")).unwrap();
    assert!(
        String::from_utf8(fresh.stdout).unwrap() == committed,
        "man/awscreds-rs.1 is stale: run `cargo run -- man > man/awscreds-rs.1`"
    );
    let lint = std::process::Command::new("mandoc")
        .args(["-Tlint", "-W", "warning"])
        .arg(project_dir().join("man/awscreds-rs.1"))
        .output()
        .expect("mandoc (Debian package mandoc) must be installed");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
}

#[test]
fn the_man_page_names_every_command_and_flag_and_every_help_has_an_example() {
    let man = fs::read_to_string(project_dir().join("man/awscreds-rs.1"))
        .unwrap()
        .replace("\\-", "-");
    let subs = subcommands();
    assert!(subs.len() >= 13, "{subs:?}");
    for flag in flags(&help(&[])) {
        assert!(man.contains(&flag), "the man page lacks {flag}");
    }
    for sub in &subs {
        assert!(
            man.contains(&format!(".SS \"awscreds-rs {sub}\"")),
            "the man page lacks {sub}"
        );
        let text = help(&[sub]);
        assert!(
            text.contains("Example"),
            "`{sub} --help` has no example:\n{text}"
        );
        for flag in flags(&text) {
            assert!(man.contains(&flag), "the man page lacks {flag} of {sub}");
        }
    }
    for section in [
        "DESCRIPTION",
        "STORES",
        "SHELL INTEGRATION",
        "FILES",
        "ENVIRONMENT",
        "EXIT STATUS",
        "EXAMPLES",
        "SECURITY",
    ] {
        assert!(
            man.contains(&format!(".SH {section}")),
            "no {section} section"
        );
    }
}

/// A world with two profiles and two stored NAMEs, and the binary on PATH.
fn completion_env() -> TestEnv {
    let t = TestEnv::secret_service();
    t.write_config("[profile alpha]\nregion = x\n[profile beta]\nregion = y\n");
    t.run(&["add", "--username", "helen"])
        .stdin(&long_term_doc())
        .ok();
    t.run(&["add", "--username", "hugo"])
        .stdin(&long_term_doc())
        .ok();
    t
}

fn with_bin_on_path(t: &TestEnv, mut cmd: std::process::Command) -> std::process::Command {
    let dir = std::path::Path::new(bin()).parent().unwrap();
    let _ = t;
    cmd.env(
        "PATH",
        format!("{}:{}", dir.display(), std::env::var("PATH").unwrap()),
    );
    cmd
}

#[test]
fn bash_completions_offer_profiles_and_names() {
    let t = completion_env();
    let script = t.root().join("completions.bash");
    fs::write(&script, t.run(&["completions", "bash"]).ok().stdout).unwrap();
    let complete = |words: &str| {
        let program = format!(
            "source /usr/share/bash-completion/bash_completion 2>/dev/null; source {s}; \
             COMP_WORDS=({words} ''); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             COMP_LINE='{words} '; COMP_POINT=${{#COMP_LINE}}; \
             _awscreds_rs_dynamic awscreds-rs '' \"${{COMP_WORDS[COMP_CWORD - 1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            s = script.display()
        );
        let mut cmd = with_bin_on_path(&t, t.command("bash"));
        cmd.args(["-c", &program]);
        Run::new(cmd).ok().stdout
    };
    assert_eq!(complete("awscreds-rs use"), "alpha\nbeta\n");
    assert_eq!(complete("awscreds-rs doctor --profile"), "alpha\nbeta\n");
    assert_eq!(complete("awscreds-rs remove --username"), "helen\nhugo\n");
    // Everything else is clap's: subcommands.
    assert!(complete("awscreds-rs").contains("configure"));
}

/// A TAB on a pty, in each real shell with the completions loaded as the
/// install lines load them: after a subcommand, its flags; after the
/// binary's name, the commands, without the hidden ones.
#[test]
fn a_tab_on_a_terminal_offers_each_commands_flags_in_every_shell() {
    let t = completion_env();
    let rc = t.root().join("tab");
    fs::create_dir_all(rc.join("zfunc")).unwrap();
    fs::create_dir_all(rc.join("config/fish/completions")).unwrap();
    let generated = |shell: &str| t.run(&["completions", shell]).ok().stdout;
    fs::write(rc.join("completions.bash"), generated("bash")).unwrap();
    fs::write(rc.join("zfunc/_awscreds-rs"), generated("zsh")).unwrap();
    fs::write(
        rc.join("config/fish/completions/awscreds-rs.fish"),
        generated("fish"),
    )
    .unwrap();
    fs::write(
        rc.join("bashrc"),
        format!(
            "PS1='$ '\nsource /usr/share/bash-completion/bash_completion\nsource {}\n",
            rc.join("completions.bash").display()
        ),
    )
    .unwrap();
    fs::write(
        rc.join(".zshrc"),
        format!(
            "PS1='$ '\nfpath=({} $fpath)\nautoload -Uz compinit && compinit -u\n",
            rc.join("zfunc").display()
        ),
    )
    .unwrap();
    let bashrc = rc.join("bashrc").display().to_string();
    let shells: [(&str, Vec<&str>); 3] = [
        ("bash", vec!["bash", "--rcfile", &bashrc, "-i"]),
        ("zsh", vec!["zsh", "-i"]),
        ("fish", vec!["fish", "-i"]),
    ];
    for (name, argv) in shells {
        let tab = |line: &str| {
            let mut cmd = with_bin_on_path(&t, t.command(client(".venv/bin/python")));
            cmd.arg(project_dir().join("tests/py/tab.py"))
                .arg(serde_json::to_string(&argv).unwrap())
                .arg(line)
                .env("ZDOTDIR", &rc)
                .env("XDG_CONFIG_HOME", rc.join("config"))
                .env("TERM", "xterm");
            Run::new(cmd).ok().stdout
        };
        for (line, flags) in [
            ("awscreds-rs doctor --", ["--online", "--json"]),
            ("awscreds-rs list --", ["--json", "--help"]),
            ("awscreds-rs add --", ["--mfa-serial", "--from-env"]),
        ] {
            let shown = tab(line);
            for flag in flags {
                assert!(
                    shown.contains(flag),
                    "{name}: {line}<TAB> shows no {flag}:\n{shown}"
                );
            }
        }
        let shown = tab("awscreds-rs ");
        assert!(
            shown.contains("refresh") && shown.contains("configure"),
            "{name}:\n{shown}"
        );
        // (The other hidden ones, hook and man, are words of the shown
        // commands' descriptions.)
        assert!(
            !shown.contains("complete-names"),
            "{name} offers a hidden command:\n{shown}"
        );
    }
}

#[test]
fn fish_completions_offer_profiles_and_names() {
    let t = completion_env();
    let script = t.root().join("completions.fish");
    fs::write(&script, t.run(&["completions", "fish"]).ok().stdout).unwrap();
    let complete = |line: &str| {
        let mut cmd = with_bin_on_path(&t, t.command("fish"));
        cmd.args([
            "--no-config",
            "-c",
            &format!("source {}; complete -C '{line}'", script.display()),
        ]);
        Run::new(cmd).ok().stdout
    };
    let words = |text: String| {
        text.lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(words(complete("awscreds-rs use ")), ["alpha", "beta"]);
    assert_eq!(
        words(complete("awscreds-rs configure --profile ")),
        ["alpha", "beta"]
    );
    assert_eq!(
        words(complete("awscreds-rs remove --username ")),
        ["helen", "hugo"]
    );
}

#[test]
fn zsh_completions_parse_and_use_the_helpers() {
    let t = completion_env();
    let text = t.run(&["completions", "zsh"]).ok().stdout;
    let script = t.root().join("_awscreds-rs");
    fs::write(&script, &text).unwrap();
    let out = std::process::Command::new("zsh")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("#compdef awscreds-rs\n"),
        "compinit reads the first line"
    );
    assert!(text.contains(":PROFILE:_awscreds_rs_profiles"));
    assert!(text.contains(":NAME:_awscreds_rs_names"));
    assert!(!text.contains(":PROFILE:_default") && !text.contains(":NAME:_default"));
    // The helpers list what complete-names prints.
    let names = t.run(&["complete-names", "profiles"]).ok().stdout;
    assert_eq!(names, "alpha\nbeta\n");
    let names = t.run(&["complete-names", "usernames"]).ok().stdout;
    assert_eq!(names, "helen\nhugo\n");
}

/// The README's code blocks whose info string is exactly `tag`.
fn readme_blocks(tag: &str) -> Vec<String> {
    let readme = fs::read_to_string(project_dir().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim() == format!("```{tag}") => current = Some(String::new()),
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// PATH with the installed binary's directory first.
fn path_with_bin(extra: &[&std::path::Path]) -> String {
    let mut dirs: Vec<String> = vec![std::path::Path::new(bin())
        .parent()
        .unwrap()
        .display()
        .to_string()];
    dirs.extend(extra.iter().map(|d| d.display().to_string()));
    dirs.push(std::env::var("PATH").unwrap());
    dirs.join(":")
}

#[test]
fn every_runnable_readme_block_runs() {
    let blocks = readme_blocks("sh runnable");
    assert!(blocks.len() >= 3, "only {} runnable blocks", blocks.len());
    // One HOME for the whole README, as a reader would have: on a desktop
    // (the Secret Service), and on a server after the README's
    // `export AWSCREDS_STORE=file` (no bus at all; the passphrase from a
    // command, where a reader types it once).
    let worlds = [
        (TestEnv::secret_service(), None),
        (
            TestEnv::file_store(),
            Some("echo 'a passphrase for the readme'"),
        ),
    ];
    let venv = client(".venv/bin");
    for (t, passphrase) in &worlds {
        for block in &blocks {
            let mut cmd = t.command("sh");
            cmd.env("PATH", path_with_bin(&[&venv]))
                .args(["-exc", block]);
            if let Some(command) = passphrase {
                cmd.env("AWSCREDS_PASSPHRASE_COMMAND", command);
            }
            let out = Run::new(cmd).output();
            assert_eq!(
                out.code, 0,
                "README block failed with {}:\n{block}\n{out:?}",
                t.store
            );
            assert!(!out.stdout.contains("Traceback"), "{out:?}");
        }
    }
}

/// The install lines of the README, of `completions --help` and of the
/// man page are the same, and work as written in a fresh HOME: afterwards
/// bash, zsh and fish load the completions by themselves, bash and fish
/// offer a stored NAME, and man finds the page.
#[test]
fn the_install_lines_work_in_a_fresh_home() {
    let blocks = readme_blocks("sh install");
    assert_eq!(blocks.len(), 1, "one install block in the README");
    let block = &blocks[0];
    let man = fs::read_to_string(project_dir().join("man/awscreds-rs.1"))
        .unwrap()
        .replace("\\-", "-")
        .replace("\\e", "\\");
    let help = help(&["completions"]);
    let lines: Vec<&str> = help
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("mkdir -p"))
        .collect();
    assert_eq!(lines.len(), 3, "{help}");
    for line in lines {
        assert!(block.contains(line), "the README lacks {line}");
        assert!(man.contains(line), "the man page lacks {line}");
    }

    // A fresh HOME as rustup leaves it, with a CARGO_HOME other than
    // ~/.cargo: its bin on PATH, holding the binary that `cargo install`
    // put there; nothing else of ours.
    let t = TestEnv::with_key("helen");
    let cargo_home = t.root().join("rust/cargo");
    let cargo_bin = cargo_home.join("bin");
    fs::create_dir_all(&cargo_bin).unwrap();
    fs::copy(bin(), cargo_bin.join("awscreds-rs")).unwrap();
    let shell = |program: &str, args: &[&str]| {
        let mut cmd = t.command(program);
        let path = format!("{}:{}", cargo_bin.display(), std::env::var("PATH").unwrap());
        cmd.env("PATH", path)
            .env("CARGO_HOME", &cargo_home)
            .args(args);
        cmd
    };
    let mut install = shell("sh", &["-ec", block]);
    install.current_dir(project_dir());
    Run::new(install).ok();
    // Twice is harmless: the rc files gain their lines once.
    let mut again = shell("sh", &["-ec", block]);
    again.current_dir(project_dir());
    Run::new(again).ok();
    let zshrc = fs::read_to_string(t.home.join(".zshrc")).unwrap();
    assert_eq!(zshrc.matches("fpath=").count(), 1, "{zshrc}");

    let bash = Run::new(shell(
        "bash",
        &[
            "-c",
            "source ~/.bashrc; _completion_loader awscreds-rs; \
             COMP_WORDS=(awscreds-rs remove --username ''); COMP_CWORD=3; \
             f=$(complete -p awscreds-rs | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p'); \
             \"$f\" awscreds-rs '' --username; printf '%s\\n' \"${COMPREPLY[@]}\"",
        ],
    ))
    .ok();
    assert_eq!(bash.stdout, "helen\n", "{bash:?}");

    let zsh = Run::new(shell(
        "zsh",
        &["-c", "source ~/.zshrc; print -r -- $_comps[awscreds-rs]"],
    ))
    .ok();
    assert_eq!(zsh.stdout, "_awscreds-rs\n", "{zsh:?}");

    let fish = Run::new(shell(
        "fish",
        &["-c", "complete -C 'awscreds-rs remove --username '"],
    ))
    .ok();
    let offered: Vec<&str> = fish
        .stdout
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(offered, ["helen"], "{fish:?}");

    let found = Run::new(shell("man", &["-w", "awscreds-rs"])).ok();
    assert_eq!(
        found.stdout.trim(),
        cargo_home
            .join("share/man/man1/awscreds-rs.1")
            .display()
            .to_string()
    );
}

/// Stops every gnome-keyring-daemon whose HOME is `home`.
fn stop_keyrings_of(home: &std::path::Path) {
    let needle = format!("HOME={}", home.display());
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let comm = fs::read_to_string(entry.path().join("comm")).unwrap_or_default();
        if !comm.starts_with("gnome-keyring") {
            continue;
        }
        let environ = fs::read(entry.path().join("environ")).unwrap_or_default();
        if environ.split(|&b| b == 0).any(|v| v == needle.as_bytes()) {
            let _ = std::process::Command::new("kill")
                .arg(entry.file_name())
                .status();
        }
    }
}

/// "Without a desktop": the README's block starts GNOME Keyring in a
/// session bus of its own; a key stored in one such session is read in the
/// next, with a new bus and a new daemon.
#[test]
fn the_headless_keyring_keeps_keys_across_sessions() {
    let blocks = readme_blocks("sh headless");
    assert_eq!(blocks.len(), 1, "one headless block in the README");
    let t = TestEnv::keyutils();
    let session = |then: &str, stdin: &str| {
        // The session's output goes to files: a gnome-keyring-daemon that
        // D-Bus started can outlive its bus, and on a pipe it would keep the
        // harness waiting for the end of output. Then any daemon left for
        // this HOME is stopped, so the next session starts its own.
        let out = t.root().join("session.out");
        let err = t.root().join("session.err");
        let mut cmd = t.command("sh");
        cmd.env("PATH", path_with_bin(&[]))
            .env("AWSCREDS_STORE", "auto")
            .args([
                "-c",
                "exec dbus-run-session -- bash -ec \"$1\" >\"$2\" 2>\"$3\"",
                "sh",
            ])
            .arg(format!("{}{then}", blocks[0]))
            .args([&out, &err]);
        let mut run = Run::new(cmd).stdin(stdin).output();
        stop_keyrings_of(&t.home);
        run.stdout = fs::read_to_string(&out).unwrap();
        run.stderr = fs::read_to_string(&err).unwrap();
        run
    };
    let first = session(
        "awscreds-rs add --username headless",
        &format!("correct horse\n{}", long_term_doc()),
    );
    assert_eq!(first.code, 0, "{first:?}");
    assert!(
        first
            .stdout
            .contains("the Secret Service is reachable and unlocked"),
        "{first:?}"
    );
    assert!(first.stderr.contains("in the Secret Service"), "{first:?}");
    let second = session("awscreds-rs --username headless", "correct horse\n");
    assert_eq!(second.code, 0, "{second:?}");
    assert!(
        second.stdout.ends_with(&format!("{}\n", long_term_doc())),
        "{second:?}"
    );
    assert!(t.home.join(".local/share/keyrings/login.keyring").exists());
}
