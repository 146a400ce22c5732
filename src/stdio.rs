//! Whether stdout was open when the process started. Before `main`, Rust's
//! runtime opens /dev/null on a closed
//! descriptor 0, 1 or 2, so `awscreds-rs --username NAME >&-` would print
//! the credentials into /dev/null and exit 0. A constructor that runs
//! before that looks first (Linux and macOS); elsewhere the answer is
//! "open".

use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// True when descriptor 1 was closed when the process started.
pub fn stdout_was_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
extern "C" fn look_at_stdout() {
    // SAFETY: F_GETFD only asks whether the descriptor is open.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
#[used]
#[cfg_attr(target_os = "linux", link_section = ".init_array")]
#[cfg_attr(target_os = "macos", link_section = "__DATA,__mod_init_func")]
static LOOK_AT_STDOUT: extern "C" fn() = look_at_stdout;

/// Whether `c` must not reach a terminal as it is: a C0 or C1 control
/// character (an escape sequence, a carriage return, U+009B, U+0085), a
/// line or paragraph separator, or a bidirectional override that makes
/// text read other than it is (U+202E). The one rule for text from
/// outside; `error::one_line` and [`say`] apply it.
pub fn unfit_for_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        )
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every character [`unfit_for_terminal`] as `?`, line
/// breaks and tabs kept (a message may have lines of its own).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let keep = |c: char| c == '\n' || c == '\t' || !unfit_for_terminal(c);
    if text.chars().all(keep) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if keep(c) { c } else { '?' })
            .collect(),
    )
}

/// Writes a message and a line break to stderr, made [`terminal_safe`],
/// in one write. A stderr that is closed, full or gone is no reason to
/// stop: the error is dropped (`eprintln!` would panic, and a panic while
/// reporting one aborts the process).
pub fn say(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut text = terminal_safe(&message.to_string()).into_owned();
    text.push('\n');
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `eprintln!` for this program: [`say`] the formatted message.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stdio::say(format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_outside_loses_what_drives_a_terminal() {
        assert_eq!(
            terminal_safe("a\x1b[2Jb\u{9b}c\u{85}d\u{202e}e\r\nf\tg"),
            "a?[2Jb?c?d?e?\nf\tg"
        );
        assert!(matches!(
            terminal_safe("plain\nlines"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
