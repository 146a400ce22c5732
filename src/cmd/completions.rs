//! `awscreds-rs completions SHELL`: clap's completions, plus candidates that
//! only exist at run time: profile names for `use` and `--profile`, stored
//! NAMEs for `--username`, both from the hidden `complete-names` command.

use clap::CommandFactory;
use clap_complete::{generate, Shell as Target};

use crate::awsfiles::AwsFiles;
use crate::cli::{Cli, NameKind, Shell};
use crate::context::Env;
use crate::error::Result;
use crate::store::{Store, StoreChoice};

const BASH_EXTRA: &str = include_str!("../../shell/completions-extra.bash");
const ZSH_EXTRA: &str = include_str!("../../shell/completions-extra.zsh");
const FISH_EXTRA: &str = include_str!("../../shell/completions-extra.fish");

pub fn run(shell: Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    let target = match shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
    };
    let hidden: Vec<String> = cmd
        .get_subcommands()
        .filter(|c| c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    generate(target, &mut cmd, "awscreds-rs", &mut out);
    let generated = without_hidden(
        shell,
        &String::from_utf8(out).expect("completions are text"),
        &hidden,
    );
    let text = match shell {
        Shell::Bash => format!("{generated}\n{BASH_EXTRA}"),
        // zsh: `#compdef` must stay the first line, or compinit does not
        // load the file from fpath; then the helpers, and the clap actions
        // for these values replaced by them.
        Shell::Zsh => format!(
            "#compdef awscreds-rs\n{ZSH_EXTRA}\n{}",
            generated
                .strip_prefix("#compdef awscreds-rs\n")
                .unwrap_or(&generated)
                .replace(":PROFILE:_default", ":PROFILE:_awscreds_rs_profiles")
                .replace(
                    ":profile -- The profile this directory works with:_default",
                    ":profile -- The profile this directory works with:_awscreds_rs_profiles"
                )
                .replace(":NAME:_default", ":NAME:_awscreds_rs_names")
        ),
        Shell::Fish => format!("{generated}\n{FISH_EXTRA}"),
    };
    super::print(&text)
}

/// clap's completions, mended: they offer the hidden commands (which
/// --help does not show), and clap_complete's bash script names its
/// functions for a binary with a hyphen two ways (`awscreds__rs__subcmd__add`
/// where it sets them, `awscreds__subcmd__rs__subcmd__add` where it matches
/// them), so no subcommand's flags were ever offered.
fn without_hidden(shell: Shell, text: &str, hidden: &[String]) -> String {
    let offers_hidden = |line: &str| {
        hidden.iter().any(|name| match shell {
            Shell::Bash => false,
            Shell::Zsh => line.starts_with(&format!("'{name}:")),
            Shell::Fish => line.contains(&format!(" -a \"{name}\" ")),
        })
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !offers_hidden(l)) {
        match shell {
            Shell::Bash if line.trim_start().starts_with("opts=\"") => {
                let kept: Vec<&str> = line
                    .split(' ')
                    .filter(|word| !hidden.iter().any(|h| h == word))
                    .collect();
                out.push_str(&kept.join(" "));
            }
            Shell::Bash => out.push_str(&line.replace("awscreds__subcmd__rs__", "awscreds__rs__")),
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// `complete-names profiles|usernames`: one candidate a line, nothing on error.
pub fn names(choice: StoreChoice, kind: NameKind) -> Result<()> {
    let env = Env::process();
    let mut names: Vec<String> = match kind {
        NameKind::Profiles => match AwsFiles::locate(&env) {
            Ok(files) => crate::profiles::names(&files).into_iter().collect(),
            Err(_) => return Ok(()),
        },
        NameKind::Usernames => match Store::open(choice, &env).and_then(|s| s.entries()) {
            Ok(entries) => entries
                .into_iter()
                .map(|e| e.name)
                .filter(|n| crate::entry::is_key(n))
                .collect(),
            Err(_) => return Ok(()),
        },
    };
    names.sort();
    let mut text = names.join("\n");
    text.push('\n');
    super::print(if names.is_empty() { "" } else { &text })
}
