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
    assert!(text.contains(":PROFILE:_awscreds_rs_profiles"));
    assert!(text.contains(":NAME:_awscreds_rs_names"));
    assert!(!text.contains(":PROFILE:_default") && !text.contains(":NAME:_default"));
    // The helpers list what complete-names prints.
    let names = t.run(&["complete-names", "profiles"]).ok().stdout;
    assert_eq!(names, "alpha\nbeta\n");
    let names = t.run(&["complete-names", "usernames"]).ok().stdout;
    assert_eq!(names, "helen\nhugo\n");
}

#[test]
fn every_runnable_readme_block_runs() {
    let readme = fs::read_to_string(project_dir().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim() == "```sh runnable" => current = Some(String::new()),
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
    assert!(blocks.len() >= 3, "only {} runnable blocks", blocks.len());
    // One HOME for the whole README, as a reader would have.
    let t = TestEnv::secret_service();
    let venv = client(".venv/bin");
    for block in blocks {
        let mut cmd = t.command("sh");
        let dir = std::path::Path::new(bin()).parent().unwrap();
        cmd.env(
            "PATH",
            format!(
                "{}:{}:{}",
                dir.display(),
                venv.display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .args(["-exc", &block]);
        let out = Run::new(cmd).output();
        assert_eq!(out.code, 0, "README block failed:\n{block}\n{out:?}");
        assert!(!out.stdout.contains("Traceback"), "{out:?}");
    }
}
