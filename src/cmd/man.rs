//! `awscreds-rs man` (hidden): the man page, generated from the clap
//! definitions (synopsis, options, one section per command) around the
//! hand-written sections in man/*.roff. man/awscreds-rs.1 is its output,
//! committed; a test fails when the two differ.

use clap::{Arg, CommandFactory};

use crate::cli::Cli;
use crate::error::{Error, Result};

const DESCRIPTION: &str = include_str!("../../man/description.roff");
const SECTIONS: &str = include_str!("../../man/sections.roff");
/// The page's date; change it when the hand-written sections change.
const DATE: &str = "2026-11-22";

pub fn run() -> Result<()> {
    super::print(&render()?)
}

pub fn render() -> Result<String> {
    let cmd = Cli::command();
    let man = clap_mangen::Man::new(cmd.clone())
        .date(DATE)
        .manual("User Commands");
    let mut out = Vec::new();
    let fail = |e| Error::io("cannot render the man page", e);
    man.render_title(&mut out).map_err(fail)?;
    man.render_name_section(&mut out).map_err(fail)?;
    man.render_synopsis_section(&mut out).map_err(fail)?;
    out.extend_from_slice(DESCRIPTION.as_bytes());
    man.render_options_section(&mut out).map_err(fail)?;
    // clap_mangen puts an empty line between two .br before a list of
    // possible values, which mandoc -Tlint flags.
    let mut text = String::from_utf8(out)
        .expect("roff is text")
        .replace("\n.br\n\n.br\n", "\n.br\n");

    text.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        text.push_str(&format!(".SS \"awscreds\\-rs {}\"\n", escape(name)));
        if let Some(about) = sub.get_about() {
            text.push_str(&format!("{}.\n", escape(&about.to_string())));
        }
        let usage = sub
            .clone()
            .bin_name(format!("awscreds-rs {name}"))
            .render_usage()
            .to_string();
        let usage = usage.trim_start_matches("Usage:").trim();
        text.push_str(&format!(".PP\n.B {}\n", escape(usage)));
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            text.push_str(&format!(".TP\n{}\n", arg_label(arg)));
            let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .map(|v| v.get_name().to_string())
                .collect();
            if !values.is_empty() && arg.get_action().takes_values() {
                help.push_str(&format!(" [possible values: {}]", values.join(", ")));
            }
            text.push_str(&format!("{}\n", escape(&help)));
        }
        if let Some(after) = sub.get_after_help() {
            text.push_str(".PP\n.nf\n");
            for line in after.to_string().lines() {
                text.push_str(&format!("{}\n", escape(line)));
            }
            text.push_str(".fi\n");
        }
    }
    text.push_str(SECTIONS);
    Ok(text)
}

fn arg_label(arg: &Arg) -> String {
    let value = arg
        .get_value_names()
        .and_then(|names| names.first())
        .map(|n| n.to_string())
        .unwrap_or_else(|| arg.get_id().to_string().to_uppercase());
    match arg.get_long() {
        Some(long) if arg.get_action().takes_values() => {
            format!("\\fB\\-\\-{}\\fR \\fI{}\\fR", escape(long), escape(&value))
        }
        Some(long) => format!("\\fB\\-\\-{}\\fR", escape(long)),
        None => format!("\\fI{}\\fR", escape(&value)),
    }
}

/// Escapes text for roff: backslashes, hyphens, and a leading dot or quote.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
