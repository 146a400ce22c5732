//! The hooks in the real shells, interactively on a pty so that the prompt
//! hooks really fire: bash (PROMPT_COMMAND), zsh (precmd/chpwd) and fish
//! (fish_prompt/PWD), with paths that have spaces and non-ASCII names,
//! nested projects, a symlinked directory and hostile `.aws-profile` files.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

use awscreds_rs::shellwords::{quote, quote_sh as q, Shell as Sh};

const SHELLS: [Sh; 3] = Sh::ALL;

/// What the tests type, in each shell's syntax.
trait Typed {
    fn show(self) -> String;
    fn export(self, key: &str, value: &str) -> String;
    fn unset(self, key: &str) -> String;
}

impl Typed for Sh {
    fn show(self) -> String {
        match self {
            Sh::Fish => {
                r#"echo "<P="(set -q AWS_PROFILE; and echo $AWS_PROFILE; or echo unset)">""#.into()
            }
            _ => r#"echo "<P=${AWS_PROFILE-unset}>""#.into(),
        }
    }

    fn export(self, key: &str, value: &str) -> String {
        match self {
            Sh::Fish => format!("set -gx {key} {}", quote(value, self)),
            _ => format!("export {key}={}", quote(value, self)),
        }
    }

    fn unset(self, key: &str) -> String {
        match self {
            Sh::Fish => format!("set -e {key}"),
            _ => format!("unset {key}"),
        }
    }
}

/// Writes the hook (`init` output, possibly edited) and an rc file, runs the
/// commands in an interactive shell, and returns (startup, outputs).
fn session(t: &TestEnv, sh: Sh, hook: &str, commands: &[String]) -> (String, Vec<String>) {
    let dir = t.root().join(format!("rc-{}", sh.name()));
    fs::create_dir_all(&dir).unwrap();
    let hook_file = dir.join(format!("hook.{}", sh.name()));
    fs::write(&hook_file, hook).unwrap();
    let hook_path = hook_file.display().to_string();
    let (argv, extra_env): (Vec<String>, Vec<(&str, String)>) = match sh {
        Sh::Bash => {
            let rc = dir.join("bashrc");
            fs::write(
                &rc,
                format!(
                    "set -u\nPS1='@@P@@ '\nsource {}\nsource {}\n",
                    q(&hook_path),
                    q(&hook_path)
                ),
            )
            .unwrap();
            (
                vec![
                    "bash".into(),
                    "--noprofile".into(),
                    "--rcfile".into(),
                    rc.display().to_string(),
                    "--noediting".into(),
                    "-i".into(),
                ],
                vec![],
            )
        }
        Sh::Zsh => {
            fs::write(
                dir.join(".zshrc"),
                format!("unsetopt zle prompt_cr prompt_sp\nset -u\nPROMPT='@@P@@ '\nsource {}\nsource {}\n", q(&hook_path), q(&hook_path)),
            )
            .unwrap();
            (
                vec!["zsh".into(), "-i".into()],
                vec![("ZDOTDIR", dir.display().to_string())],
            )
        }
        Sh::Fish => (
            vec![
                "fish".into(),
                "--no-config".into(),
                "-i".into(),
                "-C".into(),
                format!(
                    "function fish_prompt; printf '@@P@@ '; end; source {}; source {}",
                    q(&hook_path),
                    q(&hook_path)
                ),
            ],
            vec![],
        ),
    };
    let mut cmd = t.command(client(".venv/bin/python"));
    cmd.arg(project_dir().join("tests/py/shell_session.py"))
        .arg(serde_json::to_string(&argv).unwrap())
        .env("TERM", "dumb")
        .env("XDG_DATA_HOME", t.home.join(".local/share"));
    for (key, value) in extra_env {
        cmd.env(key, value);
    }
    let out = Run::new(cmd).stdin(&(commands.join("\n") + "\n")).output();
    assert_eq!(out.code, 0, "{}: {out:?}", sh.name());
    let v: Value = serde_json::from_str(&out.stdout).unwrap();
    let outputs = v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_string())
        .collect();
    (v["startup"].as_str().unwrap().to_string(), outputs)
}

fn init(t: &TestEnv, sh: Sh) -> String {
    t.run(&["init", sh.name()]).ok().stdout
}

/// The `<P=...>` a `show` command printed.
fn shown(output: &str) -> String {
    let re_start = output
        .rfind("<P=")
        .unwrap_or_else(|| panic!("no <P=...> in {output:?}"));
    let rest = &output[re_start + 3..];
    rest[..rest.find('>').unwrap()].to_string()
}

/// A step: a command and what its output must and must not contain; a
/// `show` step checks AWS_PROFILE.
enum Step {
    Run(String, Vec<&'static str>, Vec<&'static str>),
    /// A command whose output holds each part exactly once.
    Once(String, Vec<&'static str>),
    Profile(&'static str),
}

fn run_steps(t: &TestEnv, sh: Sh, hook: &str, steps: &[Step]) {
    let commands: Vec<String> = steps
        .iter()
        .map(|s| match s {
            Step::Run(c, _, _) | Step::Once(c, _) => c.clone(),
            Step::Profile(_) => sh.show(),
        })
        .collect();
    let (_, outputs) = session(t, sh, hook, &commands);
    for (i, (step, out)) in steps.iter().zip(&outputs).enumerate() {
        match step {
            Step::Run(cmd, must, must_not) => {
                for m in must {
                    assert!(
                        out.contains(m),
                        "{} step {i} `{cmd}`: lacks {m:?} in {out:?}",
                        sh.name()
                    );
                }
                for m in must_not {
                    assert!(
                        !out.contains(m),
                        "{} step {i} `{cmd}`: has {m:?} in {out:?}",
                        sh.name()
                    );
                }
            }
            Step::Once(cmd, parts) => {
                for part in parts {
                    assert_eq!(
                        out.matches(part).count(),
                        1,
                        "{} step {i} `{cmd}`: {part:?} not once in {out:?}",
                        sh.name()
                    );
                }
            }
            Step::Profile(expected) => {
                assert_eq!(
                    &shown(out),
                    expected,
                    "{} step {i}; all outputs: {outputs:#?}",
                    sh.name()
                )
            }
        }
    }
}

fn run(cmd: String) -> Step {
    Step::Run(cmd, vec![], vec![])
}

fn expect(cmd: String, must: Vec<&'static str>) -> Step {
    Step::Run(cmd, must, vec![])
}

struct Projects {
    app: PathBuf,
    fresh: PathBuf,
}

fn projects(t: &TestEnv) -> Projects {
    let home = &t.home;
    t.write_config("[profile app]\nregion = us-east-1\n[profile nested]\nregion = eu-west-1\n");
    let app = home.join("proj a");
    fs::create_dir_all(app.join("sub dir/ünïcödé")).unwrap();
    fs::write(app.join(".aws-profile"), "app\n").unwrap();
    fs::create_dir_all(app.join("nested")).unwrap();
    fs::write(app.join("nested/.aws-profile"), "nested\n").unwrap();
    std::os::unix::fs::symlink(&app, home.join("link")).unwrap();

    let hostile: [(&str, &[u8]); 5] = [
        ("evil", b"$(touch pwned)`touch pwned2`;touch pwned3\n"),
        ("newline", b"\n$(touch pwned)\n"),
        ("binary", b"\x00\xff\x1b[31mjunk"),
        ("long", &[b'a'; 10_000]),
        ("spaces", b"my profile\n"),
    ];
    for (dir, content) in hostile {
        fs::create_dir_all(home.join(dir)).unwrap();
        fs::write(home.join(dir).join(".aws-profile"), content).unwrap();
    }
    fs::create_dir_all(home.join("dirprofile/.aws-profile")).unwrap();
    fs::create_dir_all(home.join("fifo")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(home.join("fifo/.aws-profile"))
        .status()
        .unwrap()
        .success());
    let fresh = home.join("fresh");
    fs::create_dir_all(&fresh).unwrap();
    Projects { app, fresh }
}

fn path(p: &Path) -> String {
    q(&p.display().to_string())
}

#[test]
fn per_project_profiles_in_every_shell() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        let p = projects(&t);
        let home = path(&t.home);
        let cd = |dir: &Path| format!("cd {}", path(dir));
        let steps = vec![
            Step::Run(
                cd(&p.app),
                vec!["is not allowed", "awscreds-rs allow"],
                vec![],
            ),
            Step::Profile("unset"),
            // The switch is said in one line, as direnv says its exports.
            expect(
                "awscreds-rs allow".into(),
                vec!["Allowed", "awscreds-rs: AWS_PROFILE=app"],
            ),
            Step::Profile("app"),
            // The prompt segment, from the shell function and the command.
            expect("awscreds_prompt; echo".into(), vec!["aws:app\n"]),
            expect("awscreds-rs prompt".into(), vec!["aws:app\n"]),
            run(format!("cd {}", q("sub dir/ünïcödé"))),
            Step::Profile("app"),
            Step::Run(cd(&p.app.join("nested")), vec!["is not allowed"], vec![]),
            Step::Profile("unset"),
            run("awscreds-rs allow".into()),
            Step::Profile("nested"),
            run(format!("cd {home}")),
            Step::Profile("unset"),
            // The user's own value comes back on leaving; a symlinked path counts.
            run(sh.export("AWS_PROFILE", "mine")),
            run(cd(&t.home.join("link"))),
            Step::Profile("app"),
            run(format!("cd {home}")),
            Step::Profile("mine"),
            // A value exported by hand inside a project is the user's.
            run(cd(&p.app)),
            run(sh.export("AWS_PROFILE", "manual")),
            run(format!("cd {}", q("sub dir"))),
            Step::Profile("manual"),
            run(format!("cd {home}")),
            Step::Profile("manual"),
            run(sh.unset("AWS_PROFILE")),
            // The shadowing warning, once per change.
            run(cd(&p.app)),
            Step::Profile("app"),
            Step::Run(
                sh.export("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
                vec![
                    "AWS_ACCESS_KEY_ID is set",
                    "instead of profile 'app'",
                    "AWS_ACCESS_KEY_ID",
                ],
                vec![],
            ),
            Step::Run("true".into(), vec![], vec!["is set"]),
            expect("awscreds_prompt; echo".into(), vec!["aws:app!"]),
            Step::Run(sh.unset("AWS_ACCESS_KEY_ID"), vec![], vec!["is set"]),
            // deny takes effect at the very next prompt, which says
            // nothing more of the file until it changes.
            Step::Run(
                "awscreds-rs deny".into(),
                vec!["Denied", "until it changes"],
                vec!["is not allowed"],
            ),
            Step::Profile("unset"),
            Step::Run("true".into(), vec![], vec!["is not allowed"]),
            // Hostile files are refused, never evaluated.
            expect(
                cd(&t.home.join("evil")),
                vec!["ignoring", "not a profile name"],
            ),
            Step::Profile("unset"),
            expect(cd(&t.home.join("newline")), vec!["ignoring"]),
            expect(cd(&t.home.join("binary")), vec!["ignoring"]),
            expect(cd(&t.home.join("long")), vec!["ignoring", "larger than"]),
            expect(cd(&t.home.join("spaces")), vec!["ignoring"]),
            expect(
                cd(&t.home.join("dirprofile")),
                vec!["ignoring", "not a regular file"],
            ),
            expect(
                cd(&t.home.join("fifo")),
                vec!["ignoring", "not a regular file"],
            ),
            Step::Profile("unset"),
            // use writes and allows; a profile the files lack is named.
            run(cd(&p.fresh)),
            // The missing profile is said once (by the hook's next
            // prompt), not also by `use`.
            Step::Once(
                "awscreds-rs use ghost".into(),
                vec!["Wrote and allowed", "which the AWS config files lack"],
            ),
            Step::Profile("ghost"),
            // An edited file needs allowing again.
            run("printf 'app\\n' > .aws-profile".into()),
            run(format!("cd {home}")),
            expect(cd(&p.fresh), vec!["is not allowed"]),
            Step::Profile("unset"),
        ];
        run_steps(&t, sh, &init(&t, sh), &steps);
        for name in ["pwned", "pwned2", "pwned3"] {
            for dir in [&t.home, &t.home.join("evil"), &t.home.join("newline")] {
                assert!(
                    !dir.join(name).exists(),
                    "{}: a hostile file ran",
                    sh.name()
                );
            }
        }
    }
}

#[test]
fn hooks_keep_the_exit_status_and_load_once() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        let status = match sh {
            Sh::Fish => "echo \"<rc=$status>\"",
            _ => "echo \"<rc=$?>\"",
        };
        let count = match sh {
            Sh::Bash => {
                r#"echo "<n=$(declare -p PROMPT_COMMAND | grep -o __awscreds_hook | wc -l)>""#
            }
            Sh::Zsh => r#"n=(${(M)precmd_functions:#__awscreds_hook}); echo "<n=${#n}>""#,
            Sh::Fish => {
                r#"echo "<n="(functions --handlers-type variable | string match '*__awscreds_hook*' | count)">""#
            }
        };
        let (_, out) = session(
            &t,
            sh,
            &init(&t, sh),
            &["false".into(), status.into(), count.into()],
        );
        assert!(out[1].contains("<rc=1>"), "{}: {out:?}", sh.name());
        assert!(out[2].contains("<n=1>"), "{}: {out:?}", sh.name());
    }
}

/// The hook for `sh` with awscreds-rs behind a wrapper that logs each run
/// (its arguments, a line each) to the file returned.
fn counting_hook(t: &TestEnv, sh: Sh) -> (String, PathBuf) {
    let log = t.root().join(format!("calls-{}", sh.name()));
    let wrapper = t.root().join(format!("counting-{}", sh.name()));
    fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$*\" >> {}\nexec {} \"$@\"\n",
            q(&log.display().to_string()),
            q(bin())
        ),
    )
    .unwrap();
    fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let real = fs::canonicalize(bin()).unwrap().display().to_string();
    let hook = init(t, sh).replace(&real, &wrapper.display().to_string());
    assert!(hook.contains(&wrapper.display().to_string()));
    (hook, log)
}

#[test]
fn no_process_runs_when_nothing_changed() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        projects(&t);
        let (hook, log) = counting_hook(&t, sh);
        let calls = || fs::read_to_string(&log).unwrap_or_default().lines().count();
        let cd = |dir: &str| format!("cd {}", path(&t.home.join(dir)));
        let mut commands = vec![cd("proj a")];
        commands.extend(std::iter::repeat_n(String::new(), 5));
        commands.extend([
            // Under the same .aws-profile, or under none: no process.
            cd("proj a/sub dir"),
            cd("proj a/sub dir/ünïcödé"),
            cd("fresh"),
            format!("cd {}", path(&t.home)),
            // Through a symbolic link, the walk up can stop at the link's
            // own file only; past it, every directory change asks.
            cd("link/sub dir"),
            cd("link"),
            cd("proj a/nested"),
        ]);
        let (_, _) = session(&t, sh, &hook, &commands);
        let text = fs::read_to_string(&log).unwrap_or_default();
        // Startup, entering "proj a", "link" (named by another path) and
        // "nested": four hook runs; none for the empty prompts, the
        // subdirectories, leaving "proj a" for "fresh" (replayed) or the
        // change from "fresh" to home.
        assert_eq!(calls(), 4, "{}: {text}", sh.name());
        assert!(text.lines().all(|l| l.starts_with("hook ")), "{text}");
    }
}

#[test]
fn leaving_a_project_replays_the_answer_given_in_advance() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        let p = projects(&t);
        t.run(&["allow", &p.app.display().to_string()]).ok();
        let (hook, log) = counting_hook(&t, sh);
        let calls = || fs::read_to_string(&log).unwrap_or_default().lines().count();
        let home = format!("cd {}", path(&t.home));
        let into = format!("cd {}", path(&p.app));
        let steps = vec![
            run(sh.export("AWS_PROFILE", "mine")),
            run(sh.export("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")),
            expect(into.clone(), vec!["instead of profile 'app'"]),
            Step::Profile("app"),
            // The replayed answer restores the user's value and prints the
            // warning that it now shadows.
            expect(home.clone(), vec!["instead of profile 'mine'"]),
            Step::Profile("mine"),
            // A key variable changed in the same command as the leaving:
            // the answer given in advance no longer holds, and it asks.
            run(into.clone()),
            Step::Run(
                format!("{}; {home}", sh.unset("AWS_ACCESS_KEY_ID")),
                vec![],
                vec!["instead of"],
            ),
            Step::Profile("mine"),
            // A value exported by hand inside stays on leaving.
            run(into.clone()),
            run(sh.export("AWS_PROFILE", "hand")),
            run(home.clone()),
            Step::Profile("hand"),
            // Back in with the user's value unset: leaving unsets it again.
            run(sh.unset("AWS_PROFILE")),
            run(into),
            Step::Profile("app"),
            run(home),
            Step::Profile("unset"),
        ];
        run_steps(&t, sh, &hook, &steps);
        let text = fs::read_to_string(&log).unwrap_or_default();
        // Startup, the two exports, entering, entering and leaving with
        // the key unset, entering, the export of "hand", the unset,
        // entering: ten runs, none for the other three times it left.
        assert_eq!(calls(), 10, "{}: {text}", sh.name());
    }
}

/// doctor run through the hook's `awscreds-rs` function hears that the
/// hook is loaded; the variable is not exported, so a child shell (which
/// has no hook) is not told so.
#[test]
fn only_the_hooked_shell_tells_doctor_the_hook_is_loaded() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        let hook = init(&t, sh);
        let steps = vec![
            expect(
                "awscreds-rs doctor --json; echo".into(),
                vec![match sh {
                    Sh::Bash => "the bash hook is loaded in this shell",
                    Sh::Zsh => "the zsh hook is loaded in this shell",
                    Sh::Fish => "the fish hook is loaded in this shell",
                }],
            ),
            Step::Run(
                format!("{} doctor --json; echo", q(bin())),
                vec!["the shell hook is not loaded"],
                vec!["hook is loaded"],
            ),
            Step::Run(
                "env | grep AWSCREDS_; echo none-exported".into(),
                vec!["none-exported"],
                vec!["AWSCREDS_SHELL_HOOK"],
            ),
        ];
        run_steps(&t, sh, &hook, &steps);
    }
}

/// A directory whose name holds a newline (git allows it, so a clone can
/// bring one): the walk up to `/` ends, and the project above it counts.
#[test]
fn a_directory_name_with_a_newline_ends_the_walk() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        let p = projects(&t);
        t.run(&["allow", &p.app.display().to_string()]).ok();
        let odd = p.app.join("a\nb");
        assert!(!p.app.join("a").exists());
        fs::create_dir_all(odd.join("c")).unwrap();
        // Typed as a glob: a newline typed on the terminal would end the line.
        let steps = vec![
            run(format!("cd {}/a*b/c", path(&p.app))),
            Step::Profile("app"),
            run(format!("cd {}", path(&t.home))),
            Step::Profile("unset"),
        ];
        run_steps(&t, sh, &init(&t, sh), &steps);
    }
}

#[test]
fn a_missing_binary_never_breaks_the_prompt() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        projects(&t);
        let copy = t.root().join("gone-awscreds-rs");
        fs::copy(bin(), &copy).unwrap();
        let mut cmd = t.command(&copy);
        cmd.args(["init", sh.name()]);
        let hook = Run::new(cmd).ok().stdout;
        fs::remove_file(&copy).unwrap();
        let (startup, out) = session(
            &t,
            sh,
            &hook,
            &[format!("cd {}", path(&t.home.join("proj a"))), sh.show()],
        );
        assert!(
            !startup.contains("rror") && !out[0].contains("rror"),
            "{}: {startup:?} {out:?}",
            sh.name()
        );
        assert_eq!(shown(&out[1]), "unset");
    }
}

/// Runs `program args` on `text` (a file in `dir`) and fails with what it said.
fn passes(dir: &Path, program: &str, args: &[&str], name: &str, text: &str) {
    let file = dir.join(name);
    fs::write(&file, text).unwrap();
    let out = std::process::Command::new(program)
        .args(args)
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// shellcheck with every optional check but SC2250 (braces around every
/// variable, a matter of taste).
const SHELLCHECK: &[&str] = &["--enable=all", "--exclude=SC2250", "--shell=bash"];
/// The same for the code `hook` prints, which quotes values on purpose:
/// SC2016 and SC1003 flag `'$(x)'` and `'\''`, the quoting of a value that
/// holds them.
const EMITTED: &[&str] = &[
    "--enable=all",
    "--exclude=SC2250,SC2016,SC1003",
    "--shell=bash",
];

/// What users load (`init`) and what the hook evaluates (`hook`) pass
/// shellcheck and each shell's own syntax check; so do the completions'
/// extras.
#[test]
fn every_rendered_hook_and_the_code_it_evaluates_pass_the_checks() {
    let t = TestEnv::keyutils();
    let dir = t.root().join("checked");
    fs::create_dir_all(&dir).unwrap();
    let projects = projects(&t);
    t.run(&["allow", &projects.app.display().to_string()]).ok();
    for sh in SHELLS {
        let hook = init(&t, sh);
        let name = format!("hook.{}", sh.name());
        match sh {
            Sh::Bash => passes(&dir, "shellcheck", SHELLCHECK, &name, &hook),
            Sh::Zsh => passes(&dir, "zsh", &["-n"], &name, &hook),
            Sh::Fish => passes(&dir, "fish", &["--no-execute"], &name, &hook),
        }
        // What `hook` prints entering a project and leaving it, from no
        // profile, the user's own, a key variable, and the hook's state.
        let states = [
            vec![],
            vec![("AWS_PROFILE", "mine")],
            vec![("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")],
            vec![
                ("AWS_PROFILE", "work"),
                ("AWSCREDS_HOOK_ACTIVE", "work"),
                ("AWSCREDS_HOOK_SAVED", "it's $(x)"),
                ("AWSCREDS_HOOK_SAVED_SET", "1"),
            ],
        ];
        for (i, vars) in states.iter().enumerate() {
            for cwd in [&projects.app, &projects.fresh] {
                let mut run = t.run(&["hook", sh.name()]);
                run.cmd.current_dir(cwd);
                for (key, value) in vars {
                    run = run.env(key, value);
                }
                let code = run.ok().stdout;
                let name = format!("emitted-{i}.{}", sh.name());
                match sh {
                    Sh::Fish => passes(&dir, "fish", &["--no-execute"], &name, &code),
                    _ => {
                        passes(&dir, "shellcheck", EMITTED, &name, &code);
                        passes(&dir, sh.name(), &["-n"], &name, &code);
                    }
                }
            }
        }
    }
    let extras = project_dir().join("shell");
    let extra = |file: &str| fs::read_to_string(extras.join(file)).unwrap();
    passes(
        &dir,
        "shellcheck",
        &[],
        "extra.bash",
        &extra("completions-extra.bash"),
    );
    passes(
        &dir,
        "zsh",
        &["-n"],
        "extra.zsh",
        &extra("completions-extra.zsh"),
    );
    passes(
        &dir,
        "fish",
        &["--no-execute"],
        "extra.fish",
        &extra("completions-extra.fish"),
    );
}

/// Loading the hook ends with status 0 in every shell, as the README
/// loads it (`eval "$(...)"`, `... | source`), so that a prompt that shows
/// the last status shows no failure; the status before it is kept by the
/// hook's prompt functions, not by loading it.
#[test]
fn loading_the_hook_ends_with_status_zero() {
    let t = TestEnv::keyutils();
    for sh in SHELLS {
        let exe = q(bin());
        let script = match sh {
            Sh::Fish => format!("{exe} init fish | source; echo status=$status"),
            _ => format!("eval \"$({exe} init {})\"; echo status=$?", sh.name()),
        };
        let mut cmd = t.command(sh.name());
        cmd.args(["-c", &script]);
        let out = Run::new(cmd).ok();
        assert!(
            out.stdout.trim_end().ends_with("status=0"),
            "{}: {out:?}",
            sh.name()
        );
    }
}

/// No bash 3.2 here to run the hook in (macOS's /bin/bash): the rendered
/// bash hook is screened for what bash 4 and 5 added (and only that:
/// `${!name}` and `BASH_REMATCH` are older, and allowed).
#[test]
fn the_bash_hook_uses_no_syntax_newer_than_bash_3_2() {
    let t = TestEnv::keyutils();
    let hook = init(&t, Sh::Bash);
    let code: String = hook
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    for newer in [
        "@a}",
        "@Q}",
        "@E}",
        "@P}",
        "declare -g",
        "declare -A",
        "local -n",
        "mapfile",
        "readarray",
        ",,}",
        "^^}",
        "|&",
        "&>>",
        "coproc",
        "[[ -v",
        "test -v",
        "[ -v",
        "declare -n",
        "${EPOCH",
        "wait -n",
        "shopt -s lastpipe",
        "shopt -s globstar",
    ] {
        assert!(!code.contains(newer), "bash 4 syntax in the hook: {newer}");
    }
}

#[test]
fn bash_prompt_command_in_both_forms() {
    let t = TestEnv::keyutils();
    let hook = t.root().join("hook.bash");
    fs::write(&hook, init(&t, Sh::Bash)).unwrap();
    let h = q(&hook.display().to_string());
    let bash = |program: &str| {
        let mut cmd = t.command("bash");
        cmd.args(["--norc", "-c", program]);
        Run::new(cmd).ok().stdout
    };
    // The bash 5.1 array form: first, once, the user's entries kept.
    let out = bash(&format!(
        "PROMPT_COMMAND=(true 'history -a'); source {h}; source {h}; declare -p PROMPT_COMMAND"
    ));
    assert!(
        out.contains(r#"([0]="__awscreds_hook" [1]="true" [2]="history -a")"#),
        "{out}"
    );
    // The string form, with a trailing `;` that a `;` join would break.
    let out = bash(&format!(
        "PROMPT_COMMAND='history -a;'; source {h}; source {h}; eval \"$PROMPT_COMMAND\" && echo \"<$PROMPT_COMMAND>\""
    ));
    assert_eq!(out.trim(), "<__awscreds_hook\nhistory -a;>", "{out}");
}

/// The nearest `.aws-profile` has one owner, `project::find` with
/// `project::FILE_NAME`: each shell's walk (which decides, without a
/// process, whether the directory moved under another file) is rendered
/// from that constant and must find what it finds, of any file type, under
/// any name; where the walk meets a symbolic link it must give up (`?` and
/// the directory), so that the process, which reads the real parents,
/// decides.
#[test]
fn each_shells_walk_finds_the_file_project_find_finds() {
    use awscreds_rs::project::{find, FILE_NAME};
    let t = TestEnv::keyutils();
    let base = t.root().canonicalize().unwrap().join("walk");
    let make = |dir: &str| {
        let d = base.join(dir);
        fs::create_dir_all(&d).unwrap();
        d
    };
    fs::write(make("plain").join(FILE_NAME), "app\n").unwrap();
    make("plain/a/b");
    make("none/x");
    make(&format!("folder/{FILE_NAME}"));
    make("folder/sub");
    assert!(std::process::Command::new("mkfifo")
        .arg(make("fifo/sub").parent().unwrap().join(FILE_NAME))
        .status()
        .unwrap()
        .success());
    std::os::unix::fs::symlink(
        "nowhere",
        make("dangling/sub").parent().unwrap().join(FILE_NAME),
    )
    .unwrap();
    fs::write(make("outer").join(FILE_NAME), "app\n").unwrap();
    fs::write(make("outer/inner").join(FILE_NAME), "b\n").unwrap();
    make("outer/inner/deep");
    fs::write(make("odd").join(FILE_NAME), "app\n").unwrap();
    make("odd/sp ace/*[x]?/a\nb/-n");
    std::os::unix::fs::symlink(base.join("plain/a"), base.join("link")).unwrap();
    make("link-parent");
    std::os::unix::fs::symlink(base.join("plain"), base.join("link-parent/up")).unwrap();
    // Its logical parent has a file; its real one, none/x, has none.
    fs::write(make("logical").join(FILE_NAME), "app\n").unwrap();
    std::os::unix::fs::symlink(base.join("none/x"), base.join("logical/in")).unwrap();

    let real = [
        "plain",
        "plain/a/b",
        "none/x",
        "folder/sub",
        "fifo/sub",
        "dangling/sub",
        "outer/inner/deep",
        "outer",
        "odd/sp ace/*[x]?/a\nb/-n",
    ];
    let through_links = ["link", "link-parent/up/a", "logical/in"];
    for sh in SHELLS {
        let hook = t.root().join(format!("hook.{}", sh.name()));
        fs::write(&hook, init(&t, sh)).unwrap();
        let script = match sh {
            Sh::Fish => "source $WALK_HOOK; cd $WALK_DIR; and __awscreds_near; and printf '%s' \"$__awscreds_file\"",
            _ => ". \"$WALK_HOOK\"; cd -- \"$WALK_DIR\" && __awscreds_near && printf '%s' \"$__awscreds_file\"",
        };
        let walk = |dir: &Path| {
            let out = std::process::Command::new(sh.name())
                .args(["-c", script])
                .env("WALK_HOOK", &hook)
                .env("WALK_DIR", dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "{} in {dir:?}: {out:?}", sh.name());
            String::from_utf8(out.stdout).unwrap()
        };
        for dir in real {
            let dir = base.join(dir);
            let owner = find(&dir)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            assert_eq!(walk(&dir), owner, "{} in {dir:?}", sh.name());
        }
        // The walk may find the same file by the path $PWD names, or give
        // up; never another file, nor none where there is one.
        for dir in through_links {
            let dir = base.join(dir);
            let owner = find(&dir.canonicalize().unwrap()).map(|p| p.canonicalize().unwrap());
            let found = walk(&dir);
            let same = !found.is_empty() && Path::new(&found).canonicalize().ok() == owner;
            assert!(
                found == format!("?{}", dir.display()) || same,
                "{} in {dir:?}: {found:?}, where awscreds-rs finds {owner:?}",
                sh.name()
            );
        }
    }
}

/// `use` (and `allow`) in a shell without the hook says that nothing sets
/// AWS_PROFILE here, with the line that loads it for the user's shell;
/// with the hook loaded it says nothing of the kind. `use` in the home
/// folder says that every folder under it now uses the profile.
#[test]
fn use_says_when_the_hook_is_missing_and_when_it_is_used_at_home() {
    let t = TestEnv::keyutils();
    t.write_config("[profile app]\nregion = us-east-1\n");
    let project = t.home.join("project");
    fs::create_dir_all(&project).unwrap();
    let run_in = |dir: &Path, hook: Option<&str>| {
        let mut cmd = t.command(bin());
        cmd.args(["use", "app"])
            .current_dir(dir)
            .env("SHELL", "/usr/bin/zsh");
        if let Some(shell) = hook {
            cmd.env("AWSCREDS_SHELL_HOOK", shell);
        }
        Run::new(cmd).ok()
    };
    let out = run_in(&project, None);
    out.stderr_has(&[
        "Wrote and allowed",
        "The shell hook is not loaded in this shell",
        "eval \"$(awscreds-rs init zsh)\"",
    ]);
    assert!(!out.stderr.contains("home folder"), "{out:?}");
    let out = run_in(&project, Some("zsh"));
    assert!(!out.stderr.contains("not loaded"), "{out:?}");
    let out = run_in(&t.home, Some("zsh"));
    out.stderr_has(&["that is your home folder", "every folder under it"]);
}

/// A shell that `awscreds-rs exec --profile P -- SHELL` started, with the
/// hook in its rc file, stays on P: walking into a project of another
/// profile changes nothing and says so once.
#[test]
fn a_shell_under_exec_keeps_its_profile() {
    for sh in SHELLS {
        let t = TestEnv::keyutils();
        let p = projects(&t);
        t.run(&["allow", &p.app.display().to_string()]).ok();
        let steps = vec![
            run(sh.export("AWSCREDS_EXEC_PROFILE", "nested")),
            run(sh.export("AWS_PROFILE", "nested")),
            Step::Run(
                format!("cd {}", path(&p.app)),
                vec!["inside awscreds-rs's exec, on profile 'nested'"],
                vec!["AWS_PROFILE=app"],
            ),
            Step::Profile("nested"),
            Step::Run("true".into(), vec![], vec!["inside awscreds-rs's exec"]),
            run(format!("cd {}", path(&t.home))),
            Step::Profile("nested"),
        ];
        run_steps(&t, sh, &init(&t, sh), &steps);
    }
}
