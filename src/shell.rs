//! The shell hooks, rendered: each shell's template (`shell/awscreds-rs.*`)
//! with every name and list the Rust side owns put in, so that the hook
//! and `awscreds-rs hook` cannot disagree: the hook's state variables
//! ([`crate::hook::STATE_VARS`]), the key variables that shadow a profile
//! ([`crate::awsenv::KEY_VARS`]), the project file's name and the prompt
//! segment.

use crate::awsenv::KEY_VARS;
use crate::hook::{StateVar, LEAVE_VAR, LOADED_VAR, PROMPT_PREFIX, PROMPT_SHADOWED, STATE_VARS};
use crate::project::FILE_NAME;
use crate::shellwords::{quote, Shell};

const BASH: &str = include_str!("../shell/awscreds-rs.bash");
const ZSH: &str = include_str!("../shell/awscreds-rs.zsh");
const FISH: &str = include_str!("../shell/awscreds-rs.fish");

/// The hook for `shell`, running the binary at `exe`, then a first look at
/// the directory the shell starts in. The hook hands back the status it
/// finds (a prompt shows the user's last command's), so the first look
/// starts from success: loading the hook ends with status 0.
pub fn hook(shell: Shell, exe: &str) -> String {
    let template = match shell {
        Shell::Bash => BASH,
        Shell::Zsh => ZSH,
        Shell::Fish => FISH,
    };
    let mut out = render(template, &|name| value(name, shell, exe));
    out.push_str("true\n__awscreds_hook\n");
    out
}

/// What `{{name}}` stands for in `shell`'s template.
fn value(name: &str, shell: Shell, exe: &str) -> Option<String> {
    let fish = shell == Shell::Fish;
    Some(match name {
        "bin" => quote(exe, shell),
        "hook_var" => LOADED_VAR.to_string(),
        "file" => FILE_NAME.to_string(),
        "leave" => LEAVE_VAR.to_string(),
        "prompt_prefix" => PROMPT_PREFIX.to_string(),
        "prompt_shadowed" => PROMPT_SHADOWED.to_string(),
        // One mark per key variable that is set and not empty.
        "key_flags" if fish => KEY_VARS
            .iter()
            .enumerate()
            .map(|(i, var)| format!("test -n \"${var}\"; and set flags \"$flags\"{i}"))
            .collect::<Vec<_>>()
            .join("\n"),
        "key_flags" => KEY_VARS
            .iter()
            .enumerate()
            .map(|(i, var)| format!("${{{var}:+{i}}}"))
            .collect(),
        // All their values run together: empty when none is set.
        "key_values" if fish => KEY_VARS.iter().map(|var| format!("${var}")).collect(),
        "key_values" => KEY_VARS.iter().map(|var| format!("${{{var}-}}")).collect(),
        // The hook's memory handed to `awscreds-rs hook`, as assignments
        // before the command.
        "state_env" => STATE_VARS
            .iter()
            .map(|var| hand_over(var, fish))
            .collect::<Vec<_>>()
            .join(" "),
        _ => return None,
    })
}

fn hand_over(var: &StateVar, fish: bool) -> String {
    let StateVar { shell, env, unset } = var;
    if fish {
        format!("{env}=\"${shell}\"")
    } else {
        format!("{env}=\"${{{shell}-{unset}}}\"")
    }
}

/// `template` with each `{{name}}` (lower-case letters and `_`) replaced
/// by `value(name)`; a value of several lines keeps the indentation of
/// the line it is put in. An unknown name is a bug in the template.
fn render(template: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 512);
    for line in template.split_inclusive('\n') {
        let indent = &line[..line.len() - line.trim_start().len()];
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(after.len());
            if name_len == 0 || !after[name_len..].starts_with("}}") {
                // Not a placeholder here; one may start a brace later
                // (`${{{leave}}-}`).
                out.push_str(&rest[..start + 1]);
                rest = &rest[start + 1..];
                continue;
            }
            let name = &after[..name_len];
            let text =
                value(name).unwrap_or_else(|| panic!("the hook template names {{{{{name}}}}}"));
            out.push_str(&rest[..start]);
            out.push_str(&text.replace('\n', &format!("\n{indent}")));
            rest = &after[name_len + 2..];
        }
        out.push_str(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_and_the_path_quoted() {
        for shell in Shell::ALL {
            let out = hook(shell, "/opt/it's here/awscreds-rs");
            let left: Vec<&str> = out
                .match_indices("{{")
                .map(|(at, _)| &out[at..(at + 20).min(out.len())])
                .filter(|s| !s.starts_with("{{…}}"))
                .collect();
            assert!(left.is_empty(), "{shell:?}: {left:?}");
            let expected = match shell {
                Shell::Fish => r"set -g __awscreds_bin '/opt/it\'s here/awscreds-rs'",
                _ => r"'/opt/it'\''s here/awscreds-rs'",
            };
            assert!(out.contains(expected), "{shell:?}: {out}");
            for var in KEY_VARS {
                assert!(out.contains(var), "{shell:?} lacks {var}");
            }
            for var in STATE_VARS {
                assert!(
                    out.contains(var.env) && out.contains(var.shell),
                    "{shell:?}"
                );
            }
            assert!(
                out.contains(FILE_NAME) && out.contains(LEAVE_VAR),
                "{shell:?}"
            );
        }
    }

    #[test]
    fn a_value_of_several_lines_keeps_the_indentation() {
        let out = render("a\n    {{x}}\n{{ y }} {{}} ${{{x}}-}\n", &|_| {
            Some("1\n2".into())
        });
        assert_eq!(out, "a\n    1\n    2\n{{ y }} {{}} ${1\n2-}\n");
    }

    #[test]
    #[should_panic(expected = "names {{nope}}")]
    fn an_unknown_placeholder_is_a_bug() {
        render("{{nope}}", &|_| None);
    }
}
