//! The shell hook's decision: from what the hook sees (AWS_PROFILE, the
//! key variables, its memory between prompts) and the judged
//! `.aws-profile`, what AWS_PROFILE should be, which warnings to show, and
//! the shell code that makes it so. Free of I/O; `cmd/hook.rs` gathers the
//! input and prints the result.

use crate::context::Env;
use crate::project::Target;
use crate::shellwords::{quote, Shell};

/// One piece of the hook's memory: the shell keeps it in `shell` between
/// prompts and hands it to `awscreds-rs hook` in the environment variable
/// `env` (`unset` when the shell has none yet).
pub struct StateVar {
    pub shell: &'static str,
    pub env: &'static str,
    pub unset: &'static str,
}

pub const ACTIVE: StateVar = StateVar {
    shell: "__awscreds_active",
    env: "AWSCREDS_HOOK_ACTIVE",
    unset: "",
};
pub const SAVED: StateVar = StateVar {
    shell: "__awscreds_saved",
    env: "AWSCREDS_HOOK_SAVED",
    unset: "",
};
/// `1` when SAVED holds a value (an empty one too), `0` when AWS_PROFILE
/// was unset.
pub const SAVED_SET: StateVar = StateVar {
    shell: "__awscreds_saved_set",
    env: "AWSCREDS_HOOK_SAVED_SET",
    unset: "0",
};
pub const ROOT: StateVar = StateVar {
    shell: "__awscreds_root",
    env: "AWSCREDS_HOOK_ROOT",
    unset: "",
};
/// The warnings shown, joined by [`WARNED_SEPARATOR`].
pub const WARNED: StateVar = StateVar {
    shell: "__awscreds_warned",
    env: "AWSCREDS_HOOK_WARNED",
    unset: "",
};
/// Every piece of the hook's memory, in the order the shells hand it over.
pub const STATE_VARS: [&StateVar; 5] = [&ACTIVE, &SAVED, &SAVED_SET, &ROOT, &WARNED];
pub const WARNED_SEPARATOR: char = '\x1f';
/// The shell variable holding the code to replay on leaving for a
/// directory under no `.aws-profile` ([`leaving`]).
pub const LEAVE_VAR: &str = "__awscreds_leave";
/// Set by a loaded hook to its shell's name, for doctor.
pub const LOADED_VAR: &str = "AWSCREDS_SHELL_HOOK";

/// The prompt segment for the active profile (`aws:NAME`, with `!` when
/// key variables shadow it), as `awscreds-rs prompt` and each hook's
/// `awscreds_prompt` print it.
pub const PROMPT_PREFIX: &str = "aws:";
pub const PROMPT_SHADOWED: &str = "!";

pub fn prompt_segment(profile: &str, shadowed: bool) -> String {
    let mark = if shadowed { PROMPT_SHADOWED } else { "" };
    // AWS_PROFILE is anyone's text: it goes into a prompt, so nothing in
    // it may drive the terminal.
    let profile = crate::error::one_line(profile);
    format!("{PROMPT_PREFIX}{profile}{mark}")
}

/// The hook's memory between prompts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// The profile the hook exported, while AWS_PROFILE still holds it.
    pub active: Option<String>,
    /// AWS_PROFILE as the user had it before (None: it was unset).
    pub saved: Option<String>,
    /// The `.aws-profile` the hook is tied to.
    pub root: Option<String>,
    /// Keys of the warnings already shown, so each shows once per change.
    pub warned: Vec<String>,
}

/// Set and non-empty, the hook switches profiles without a line.
pub const QUIET_VAR: &str = "AWSCREDS_HOOK_QUIET";

/// Set by `exec` for its command: the profile it runs on (empty under
/// `--server`, which runs on no profile). A shell started there keeps it:
/// its hook changes nothing and says so once.
pub const EXEC_VAR: &str = "AWSCREDS_EXEC_PROFILE";

/// What the hook sees.
#[derive(Clone)]
pub struct Input {
    pub aws_profile: Option<String>,
    /// Which of the key variables are set and non-empty.
    pub shadowing: Vec<&'static str>,
    pub state: State,
    /// No line on a switch ([`QUIET_VAR`]).
    pub quiet: bool,
    /// The profile `exec` runs this shell on ([`EXEC_VAR`]), if it does.
    pub pinned: Option<String>,
}

impl Input {
    /// What the hook hands over for one `awscreds-rs hook` call: the
    /// user's AWS variables and the state in the `AWSCREDS_HOOK_*` ones.
    pub fn from_env(env: &Env) -> Input {
        let set = |name: &str| env.var_set(name);
        let non_empty = |name: &str| env.var(name);
        Input {
            aws_profile: set("AWS_PROFILE"),
            quiet: non_empty(QUIET_VAR).is_some(),
            pinned: set(EXEC_VAR),
            shadowing: crate::awsenv::shadowing(set),
            state: State {
                active: non_empty(ACTIVE.env),
                saved: if set(SAVED_SET.env).as_deref() == Some("1") {
                    Some(set(SAVED.env).unwrap_or_default())
                } else {
                    None
                },
                root: non_empty(ROOT.env),
                warned: set(WARNED.env)
                    .map(|w| {
                        w.split(WARNED_SEPARATOR)
                            .filter(|s| !s.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        }
    }
}

/// What the hook does to AWS_PROFILE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChange {
    /// Leaves it as it is.
    Keep,
    /// Exports AWS_PROFILE with this value.
    Set(String),
    /// Unsets it.
    Unset,
}

impl ProfileChange {
    /// Restoring `saved` (what the user had before the hook set it).
    fn restore(saved: Option<String>) -> ProfileChange {
        saved.map_or(ProfileChange::Unset, ProfileChange::Set)
    }

    /// AWS_PROFILE once this change is applied to `current`.
    fn apply(&self, current: Option<String>) -> Option<String> {
        match self {
            ProfileChange::Keep => current,
            ProfileChange::Set(value) => Some(value.clone()),
            ProfileChange::Unset => None,
        }
    }
}

/// What to do.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub set_profile: ProfileChange,
    pub state: State,
    pub messages: Vec<String>,
}

/// The whole decision, free of I/O: `defined` says whether a profile
/// exists in the AWS files.
pub fn decide(
    input: Input,
    target: &Target,
    shell: Shell,
    defined: &dyn Fn(&str) -> bool,
) -> Outcome {
    if let Some(pinned) = &input.pinned {
        return under_exec(input.state, pinned, target);
    }
    let mut state = input.state;
    let current = input.aws_profile;
    // The user exported another value by hand: it is theirs from now on.
    if state.active.is_some() && state.active != current {
        state.active = None;
        state.saved = None;
    }
    let mut warnings: Vec<(String, String)> = Vec::new();
    let set_profile = match target {
        Target::Allowed { path, profile } => {
            if !defined(profile) {
                warnings.push((
                    format!("missing|{path}|{profile}"),
                    format!(
                        "{path} names profile '{profile}', which the AWS config files lack; \
                         add it with: {}",
                        crate::fix::configure(profile, "NAME")
                    ),
                ));
            }
            enter(&mut state, &current, path, profile)
        }
        other => {
            match other {
                // Denied as it is: quiet until the file changes.
                Target::Blocked { denied: true, .. } => {}
                Target::Blocked {
                    path, dir, profile, ..
                } => warnings.push((
                    format!("blocked|{path}|{profile}"),
                    format!(
                        "{path} (profile '{profile}') is not allowed; review it, then run: {}",
                        // The directory as typed, but never a control
                        // character to the terminal.
                        crate::error::one_line(crate::fix::allow(dir))
                    ),
                )),
                Target::Refused { path, reason } => warnings.push((
                    format!("refused|{path}|{reason}"),
                    format!("ignoring {path}: {reason}"),
                )),
                _ => {}
            }
            leave(&mut state)
        }
    };
    if let Some(profile) = set_profile.apply(current).filter(|p| !p.is_empty()) {
        warnings.extend(shadowed(&profile, &input.shadowing, shell));
    }

    // A switch is said each time, as direnv says its exports.
    let switched = match (&set_profile, input.quiet) {
        (_, true) | (ProfileChange::Keep, _) => None,
        (ProfileChange::Set(p), _) => Some(format!(
            "awscreds-rs: AWS_PROFILE={}",
            crate::error::one_line(p)
        )),
        (ProfileChange::Unset, _) => Some("awscreds-rs: AWS_PROFILE unset".to_string()),
    };
    let messages = switched
        .into_iter()
        .chain(
            warnings
                .iter()
                .filter(|(key, _)| !state.warned.contains(key))
                .map(|(_, message)| format!("awscreds-rs: {message}")),
        )
        .collect();
    state.warned = warnings.into_iter().map(|(key, _)| key).collect();
    Outcome {
        set_profile,
        state,
        messages,
    }
}

/// Inside `awscreds-rs exec`: AWS_PROFILE stays what exec set, whatever
/// `.aws-profile` the shell walks into; a file naming another profile is
/// said once.
fn under_exec(mut state: State, pinned: &str, target: &Target) -> Outcome {
    let mut warnings = Vec::new();
    if let Target::Allowed { path, profile } = target {
        if profile != pinned {
            let runs_on = if pinned.is_empty() {
                "its container credentials endpoint, on no profile".to_string()
            } else {
                format!("profile '{}'", crate::error::one_line(pinned))
            };
            warnings.push((
                format!("exec|{path}|{profile}"),
                format!(
                    "this shell runs inside awscreds-rs's exec, on {runs_on}: the hook leaves \
                     AWS_PROFILE as it is, although {path} names '{profile}'; leave this shell \
                     to use that"
                ),
            ));
        }
    }
    let messages = warnings
        .iter()
        .filter(|(key, _)| !state.warned.contains(key))
        .map(|(_, message)| format!("awscreds-rs: {message}"))
        .collect();
    state.warned = warnings.into_iter().map(|(key, _)| key).collect();
    Outcome {
        set_profile: ProfileChange::Keep,
        state,
        messages,
    }
}

/// Entering the project of the allowed `.aws-profile` at `path`: the
/// user's AWS_PROFILE saved the first time, the profile set unless the
/// hook set it already. A project the user took over by hand (the hook's
/// root, no longer active) is left alone.
fn enter(state: &mut State, current: &Option<String>, path: &str, profile: &str) -> ProfileChange {
    let ours = state.active.is_some();
    if !ours && state.root.as_deref() == Some(path) {
        return ProfileChange::Keep;
    }
    if !ours {
        state.saved = current.clone();
    }
    let change = if state.active.as_deref() == Some(profile) {
        ProfileChange::Keep
    } else {
        ProfileChange::Set(profile.to_string())
    };
    state.active = Some(profile.to_string());
    state.root = Some(path.to_string());
    change
}

/// Leaving every project: the user's AWS_PROFILE back if the hook had set
/// one, and the hook's memory of the project cleared.
fn leave(state: &mut State) -> ProfileChange {
    let change = match state.active {
        Some(_) => ProfileChange::restore(state.saved.take()),
        None => ProfileChange::Keep,
    };
    state.active = None;
    state.saved = None;
    state.root = None;
    change
}

/// The warning (its key and text) when key variables shadow `profile`.
fn shadowed(profile: &str, shadowing: &[&str], shell: Shell) -> Option<(String, String)> {
    if shadowing.is_empty() {
        return None;
    }
    let vars = shadowing.join(", ");
    let unset = match shell {
        Shell::Fish => format!("set -e {}", shadowing.join(" ")),
        _ => format!("unset {}", shadowing.join(" ")),
    };
    let one = shadowing.len() == 1;
    Some((
        format!("shadow|{profile}|{vars}"),
        format!(
            "{vars} {} set: AWS tools will use {} instead of profile '{profile}'; to use the profile run: {unset}",
            if one { "is" } else { "are" },
            if one { "it" } else { "them" },
        ),
    ))
}

/// What leaving for a directory under no `.aws-profile` will do once the
/// code of `outcome` has run: the same [`decide`], asked in advance, with
/// AWS_PROFILE and the key variables as that code leaves them. The hook
/// replays it without a process while they stay so (the shell compares).
/// `seen` is what `outcome` was decided on.
pub fn leaving(outcome: &Outcome, seen: Input, shell: Shell) -> Outcome {
    let input = Input {
        aws_profile: outcome.set_profile.apply(seen.aws_profile),
        state: outcome.state.clone(),
        ..seen
    };
    decide(input, &Target::None, shell, &|_| true)
}

/// The code the hook runs for `outcome` (whose warnings the process
/// prints), and in `__awscreds_leave` the code for `leave`, which prints
/// its warnings itself when the hook replays it.
pub fn emit_with_leave(outcome: &Outcome, leave: &Outcome, shell: Shell) -> String {
    let mut code = emit(outcome, shell);
    let mut replay = String::new();
    for message in &leave.messages {
        replay.push_str(&format!("printf '%s\\n' {} >&2;\n", quote(message, shell)));
    }
    replay.push_str(&emit(leave, shell));
    code.push_str(&assign(LEAVE_VAR, &replay, shell));
    code
}

/// `name=value` for the hook's own (unexported) variables.
fn assign(name: &str, value: &str, shell: Shell) -> String {
    match shell {
        Shell::Fish => format!("set -g {name} {};\n", quote(value, shell)),
        _ => format!("{name}={};\n", quote(value, shell)),
    }
}

/// The shell code for an outcome.
pub fn emit(outcome: &Outcome, shell: Shell) -> String {
    let mut code = String::new();
    let q = |v: &str| quote(v, shell);
    match (&outcome.set_profile, shell) {
        (ProfileChange::Set(p), Shell::Fish) => {
            code.push_str(&format!("set -gx AWS_PROFILE {};\n", q(p)))
        }
        (ProfileChange::Set(p), _) => code.push_str(&format!("export AWS_PROFILE={};\n", q(p))),
        (ProfileChange::Unset, Shell::Fish) => code.push_str("set -e AWS_PROFILE;\n"),
        (ProfileChange::Unset, _) => code.push_str("unset AWS_PROFILE;\n"),
        (ProfileChange::Keep, _) => {}
    }
    let state = &outcome.state;
    let warned: Vec<&str> = state.warned.iter().map(String::as_str).collect();
    let vars = [
        (&ACTIVE, state.active.clone().unwrap_or_default()),
        (&SAVED, state.saved.clone().unwrap_or_default()),
        (
            &SAVED_SET,
            if state.saved.is_some() { "1" } else { "0" }.to_string(),
        ),
        (&ROOT, state.root.clone().unwrap_or_default()),
        (
            &WARNED,
            warned.join(WARNED_SEPARATOR.encode_utf8(&mut [0; 4])),
        ),
    ];
    for (var, value) in vars {
        code.push_str(&assign(var.shell, &value, shell));
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prompt_segment_drives_no_terminal() {
        let segment = prompt_segment("p\x1b[31m\u{9b}\u{202e}", false);
        assert!(segment.ends_with("p?[31m??"), "{segment:?}");
    }
    use crate::project::Target;

    fn allowed(profile: &str) -> Target {
        Target::Allowed {
            path: format!("/p/{profile}/.aws-profile"),
            profile: profile.into(),
        }
    }

    /// Quiet: the switch lines have a test of their own.
    fn input(aws_profile: Option<&str>, state: &State) -> Input {
        Input {
            aws_profile: aws_profile.map(String::from),
            shadowing: vec![],
            state: state.clone(),
            quiet: true,
            pinned: None,
        }
    }

    #[test]
    fn under_exec_the_hook_changes_nothing_and_says_so_once() {
        let pinned = |aws_profile: Option<&str>, state: &State, target: &Target| {
            let input = Input {
                pinned: Some("prod".into()),
                quiet: false,
                ..input(aws_profile, state)
            };
            decide(input, target, Shell::Bash, &|_| true)
        };
        let first = pinned(Some("prod"), &State::default(), &allowed("dev"));
        assert_eq!(first.set_profile, ProfileChange::Keep);
        assert_eq!(first.messages.len(), 1);
        assert!(
            first.messages[0].contains("inside awscreds-rs's exec, on profile 'prod'"),
            "{:?}",
            first.messages
        );
        let again = pinned(Some("prod"), &first.state, &allowed("dev"));
        assert!(again.messages.is_empty());
        let same = pinned(Some("prod"), &State::default(), &allowed("prod"));
        assert!(same.messages.is_empty() && same.set_profile == ProfileChange::Keep);
        let out = pinned(Some("prod"), &first.state, &Target::None);
        assert_eq!(out.set_profile, ProfileChange::Keep);
        // Read from the environment: set, even empty (exec --server).
        let env = Env::given([(EXEC_VAR, "")]);
        assert_eq!(Input::from_env(&env).pinned.as_deref(), Some(""));
    }

    #[test]
    fn a_switch_is_said_in_one_line_unless_quiet() {
        let loud = |aws_profile: Option<&str>, state: &State, target: &Target| {
            let input = Input {
                quiet: false,
                ..input(aws_profile, state)
            };
            decide(input, target, Shell::Bash, &|_| true)
        };
        let entered = loud(Some("mine"), &State::default(), &allowed("a"));
        assert_eq!(entered.messages, ["awscreds-rs: AWS_PROFILE=a"]);
        let again = loud(Some("a"), &entered.state, &allowed("a"));
        assert!(again.messages.is_empty(), "{:?}", again.messages);
        let left = loud(Some("a"), &entered.state, &Target::None);
        assert_eq!(left.messages, ["awscreds-rs: AWS_PROFILE=mine"]);
        let unset = loud(
            Some("a"),
            &step(None, &State::default(), &allowed("a")).state,
            &Target::None,
        );
        assert_eq!(unset.messages, ["awscreds-rs: AWS_PROFILE unset"]);
        let quiet = step(None, &State::default(), &allowed("a"));
        assert!(quiet.messages.is_empty(), "{:?}", quiet.messages);
        // Read from the environment: set and non-empty.
        assert!(Input::from_env(&Env::given([(QUIET_VAR, "1")])).quiet);
        assert!(!Input::from_env(&Env::given([(QUIET_VAR, "")])).quiet);
    }

    #[test]
    fn the_input_is_read_from_the_given_environment_alone() {
        let warned = format!("a{WARNED_SEPARATOR}{WARNED_SEPARATOR}b");
        let env = Env::given([
            ("AWS_PROFILE", ""),
            ("AWS_ACCESS_KEY_ID", "AKIA"),
            ("AWS_SESSION_TOKEN", ""),
            (ACTIVE.env, "app"),
            (SAVED_SET.env, "1"),
            (SAVED.env, ""),
            (ROOT.env, ""),
            (WARNED.env, warned.as_str()),
        ]);
        let input = Input::from_env(&env);
        // An empty AWS_PROFILE is set, and an empty saved one was saved.
        assert_eq!(input.aws_profile.as_deref(), Some(""));
        assert_eq!(input.shadowing, vec!["AWS_ACCESS_KEY_ID"]);
        assert_eq!(
            input.state,
            State {
                active: Some("app".into()),
                saved: Some(String::new()),
                root: None,
                warned: vec!["a".into(), "b".into()],
            }
        );
        let none = Input::from_env(&Env::given::<&str, &str>([]));
        assert_eq!((none.aws_profile, none.state), (None, State::default()));
    }

    fn step(aws_profile: Option<&str>, state: &State, target: &Target) -> Outcome {
        decide(input(aws_profile, state), target, Shell::Bash, &|_| true)
    }

    #[test]
    fn entering_sets_and_leaving_restores_an_unset_profile() {
        let entered = step(None, &State::default(), &allowed("a"));
        assert_eq!(entered.set_profile, ProfileChange::Set("a".into()));
        assert_eq!(entered.state.saved, None);
        let left = step(Some("a"), &entered.state, &Target::None);
        assert_eq!(left.set_profile, ProfileChange::Unset);
        assert_eq!(left.state, State::default());
    }

    #[test]
    fn leaving_restores_the_users_value_through_nested_projects() {
        let a = step(Some("mine"), &State::default(), &allowed("a"));
        assert_eq!(a.state.saved.as_deref(), Some("mine"));
        let b = step(Some("a"), &a.state, &allowed("b"));
        assert_eq!(b.set_profile, ProfileChange::Set("b".into()));
        assert_eq!(b.state.saved.as_deref(), Some("mine"));
        let out = step(Some("b"), &b.state, &Target::None);
        assert_eq!(out.set_profile, ProfileChange::Set("mine".into()));
    }

    #[test]
    fn a_value_exported_by_hand_is_the_users() {
        let a = step(None, &State::default(), &allowed("a"));
        // The user exports another profile inside the project: left alone...
        let inside = step(Some("manual"), &a.state, &allowed("a"));
        assert_eq!(inside.set_profile, ProfileChange::Keep);
        assert_eq!(inside.state.active, None);
        // ...and kept on leaving.
        let left = step(Some("manual"), &inside.state, &Target::None);
        assert_eq!(left.set_profile, ProfileChange::Keep);
    }

    #[test]
    fn blocked_and_refused_files_warn_once_and_set_nothing() {
        let blocked = Target::Blocked {
            path: "/p/x/.aws-profile".into(),
            dir: "/p/x".into(),
            profile: "x".into(),
            denied: false,
        };
        let first = step(None, &State::default(), &blocked);
        assert_eq!(first.set_profile, ProfileChange::Keep);
        assert_eq!(first.messages.len(), 1);
        assert!(
            first.messages[0].contains("awscreds-rs allow '/p/x'"),
            "{:?}",
            first.messages
        );
        let again = step(None, &first.state, &blocked);
        assert!(again.messages.is_empty());
        // Denied as it is: not a word, even the first time.
        let denied = Target::Blocked {
            path: "/p/x/.aws-profile".into(),
            dir: "/p/x".into(),
            profile: "x".into(),
            denied: true,
        };
        let quiet = step(None, &State::default(), &denied);
        assert!(quiet.messages.is_empty(), "{:?}", quiet.messages);
        assert_eq!(quiet.set_profile, ProfileChange::Keep);

        let refused = Target::Refused {
            path: "/p/y/.aws-profile".into(),
            reason: "it is not a regular file".into(),
        };
        assert!(step(None, &State::default(), &refused).messages[0].contains("ignoring"));
    }

    #[test]
    fn shadowing_variables_warn_once_per_change() {
        let mut i = input(Some("hand"), &State::default());
        i.shadowing = vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
        let first = decide(i, &Target::None, Shell::Bash, &|_| true);
        assert_eq!(first.messages.len(), 1);
        let m = &first.messages[0];
        assert!(
            m.contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY are set"),
            "{m}"
        );
        assert!(m.contains("instead of profile 'hand'"), "{m}");
        assert!(
            m.contains("unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY"),
            "{m}"
        );

        let mut i = input(Some("hand"), &first.state);
        i.shadowing = vec!["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
        assert!(decide(i, &Target::None, Shell::Bash, &|_| true)
            .messages
            .is_empty());

        let mut i = input(Some("hand"), &first.state);
        i.shadowing = vec!["AWS_SESSION_TOKEN"];
        let fish = decide(i, &Target::None, Shell::Fish, &|_| true);
        assert!(fish.messages[0].contains("set -e AWS_SESSION_TOKEN"));

        // No profile in effect: nothing to shadow.
        let mut i = input(None, &State::default());
        i.shadowing = vec!["AWS_ACCESS_KEY_ID"];
        assert!(decide(i, &Target::None, Shell::Bash, &|_| true)
            .messages
            .is_empty());
    }

    #[test]
    fn a_profile_the_files_lack_is_named() {
        let out = decide(
            input(None, &State::default()),
            &allowed("ghost"),
            Shell::Zsh,
            &|_| false,
        );
        assert!(out.messages[0].contains("profile 'ghost', which the AWS config files lack"));
    }

    #[test]
    fn leaving_is_decided_on_what_the_code_leaves() {
        let shadowing = vec!["AWS_SESSION_TOKEN"];
        let mut i = input(Some("mine"), &State::default());
        i.shadowing = shadowing.clone();
        let entered = decide(i, &allowed("a"), Shell::Bash, &|_| true);
        let leave = leaving(
            &entered,
            Input {
                aws_profile: Some("mine".into()),
                shadowing,
                ..input(None, &State::default())
            },
            Shell::Bash,
        );
        assert_eq!(leave.set_profile, ProfileChange::Set("mine".into()));
        assert_eq!(
            leave.state,
            State {
                warned: leave.state.warned.clone(),
                ..State::default()
            }
        );
        assert_eq!(leave.messages.len(), 1);
        assert!(leave.messages[0].contains("instead of profile 'mine'"));
        // The replay prints that warning itself, quoted twice over.
        let code = emit_with_leave(&entered, &leave, Shell::Bash);
        let replay = code.split_once("__awscreds_leave=").unwrap().1;
        assert!(
            replay.starts_with(r"'printf '\''%s\n'\'' '\''awscreds-rs: "),
            "{replay}"
        );
        assert!(
            replay.contains(r"export AWS_PROFILE='\''mine'\'';"),
            "{replay}"
        );

        // A value the user exported inside the project stays theirs.
        let a = step(None, &State::default(), &allowed("a"));
        let inside = step(Some("manual"), &a.state, &allowed("a"));
        let leave = leaving(
            &inside,
            input(Some("manual"), &State::default()),
            Shell::Fish,
        );
        assert_eq!(leave.set_profile, ProfileChange::Keep);
        let fish = emit_with_leave(&inside, &leave, Shell::Fish);
        assert!(
            fish.contains("set -g __awscreds_leave 'set -g __awscreds_active \\'\\';"),
            "{fish}"
        );
    }

    #[test]
    fn a_warning_never_carries_a_control_character() {
        let target = Target::Blocked {
            path: "/p/x?[31m/.aws-profile".into(),
            dir: "/p/x\x1b[31m\nnext".into(),
            profile: "x".into(),
            denied: false,
        };
        let out = step(None, &State::default(), &target);
        assert_eq!(out.messages.len(), 1);
        assert!(
            !out.messages[0].contains(char::is_control),
            "{:?}",
            out.messages
        );
        assert!(
            out.messages[0].contains("allow '/p/x?[31m?next'"),
            "{:?}",
            out.messages
        );
    }

    /// [`leaving`] answers in advance what `decide(Target::None)` will
    /// answer, and the shell replays it while AWS_PROFILE and the key
    /// variables stay as they were: that holds only while that decision
    /// reads nothing but them and the state. Here asking anything else
    /// (whether a profile exists) panics.
    #[test]
    fn deciding_for_no_project_reads_nothing_but_its_input() {
        let states = [
            State::default(),
            step(None, &State::default(), &allowed("a")).state,
            step(Some("mine"), &State::default(), &allowed("a")).state,
            State {
                warned: vec!["x".into()],
                root: Some("/p/a/.aws-profile".into()),
                ..State::default()
            },
        ];
        for state in &states {
            for aws_profile in [None, Some("a"), Some("mine"), Some("")] {
                for shadowing in [vec![], vec!["AWS_ACCESS_KEY_ID"]] {
                    let input = Input {
                        aws_profile: aws_profile.map(String::from),
                        shadowing,
                        state: state.clone(),
                        quiet: false,
                        pinned: None,
                    };
                    decide(input, &Target::None, Shell::Bash, &|p| {
                        panic!("decide(Target::None) asked whether profile {p} exists")
                    });
                }
            }
        }
    }

    #[test]
    fn emitted_code_quotes_everything() {
        let outcome = Outcome {
            set_profile: ProfileChange::Set("a".into()),
            state: State {
                active: Some("a".into()),
                saved: Some("it's $(x)".into()),
                root: Some("/p/it's/.aws-profile".into()),
                warned: vec![],
            },
            messages: vec![],
        };
        let bash = emit(&outcome, Shell::Bash);
        assert!(bash.contains("export AWS_PROFILE='a';"), "{bash}");
        assert!(bash.contains(r"__awscreds_saved='it'\''s $(x)';"), "{bash}");
        let fish = emit(&outcome, Shell::Fish);
        assert!(fish.contains("set -gx AWS_PROFILE 'a';"), "{fish}");
        assert!(
            fish.contains(r"set -g __awscreds_saved 'it\'s $(x)';"),
            "{fish}"
        );
    }
}
