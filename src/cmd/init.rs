//! `awscreds-rs init SHELL`: prints the shell hook, with this binary's
//! absolute path put in, quoted for that shell.

use crate::cli::Shell;
use crate::error::Result;
use crate::shellwords::quote;

const BASH: &str = include_str!("../../shell/awscreds-rs.bash");
const ZSH: &str = include_str!("../../shell/awscreds-rs.zsh");
const FISH: &str = include_str!("../../shell/awscreds-rs.fish");

pub fn run(shell: Shell) -> Result<()> {
    let exe = crate::paths::this_exe()?;
    let exe = exe.to_string_lossy();
    super::print(&script(shell, &exe))
}

/// The hook for `shell`, running the binary at `exe`.
pub fn script(shell: Shell, exe: &str) -> String {
    let (source, placeholder, quoted) = match shell {
        Shell::Bash => (
            BASH,
            "__awscreds_bin='awscreds-rs'",
            format!("__awscreds_bin={}", quote(exe, shell)),
        ),
        Shell::Zsh => (
            ZSH,
            "typeset -g __awscreds_bin='awscreds-rs'",
            format!("typeset -g __awscreds_bin={}", quote(exe, shell)),
        ),
        Shell::Fish => (
            FISH,
            "set -g __awscreds_bin 'awscreds-rs'",
            format!("set -g __awscreds_bin {}", quote(exe, shell)),
        ),
    };
    let mut out = source.replacen(placeholder, &quoted, 1);
    // Look at the directory the shell starts in.
    out.push_str("__awscreds_hook\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_path_is_put_in_once_and_quoted() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let out = script(shell, "/opt/it's here/awscreds-rs");
            assert!(!out.contains("__awscreds_bin='awscreds-rs'"), "{shell:?}");
            assert!(!out.contains("__awscreds_bin 'awscreds-rs'"), "{shell:?}");
            let expected = match shell {
                Shell::Fish => r"set -g __awscreds_bin '/opt/it\'s here/awscreds-rs'",
                _ => r"'/opt/it'\''s here/awscreds-rs'",
            };
            assert!(out.contains(expected), "{shell:?}: {out}");
        }
    }
}
