//! `awscreds-rs init SHELL`: prints the shell hook (src/shell.rs renders
//! it) with this binary's absolute path put in.

use crate::cli::Shell;
use crate::error::Result;

pub fn run(shell: Shell) -> Result<()> {
    let exe = crate::paths::this_exe()?;
    super::print(&crate::shell::hook(shell, &exe.to_string_lossy()))
}
