//! Start-up costs on every credential_process call and every hook run, so
//! the Linux binary is linked to load as little as it can (measured with
//! bench/compare.sh; see the README's speed section):
//!
//! - at a fixed address (non-PIE): the loader then has no relative
//!   relocations to apply (about 25,000 with the AWS SDK linked in), each
//!   of which dirtied a page;
//! - with libgcc's unwinder built in (libgcc_eh.a) instead of loading
//!   libgcc_s.so.1: one shared library fewer to map and bind, 0.15 ms of
//!   every start here. Where the C compiler has no libgcc_eh.a (a clang-only
//!   system), the binary loads libgcc_s as before.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
        // The host's compiler knows where its own libgcc_eh.a is; for a
        // cross build it would name the host's, so it is left out there.
        let native = std::env::var("TARGET").ok() == std::env::var("HOST").ok();
        if let Some(dir) = libgcc_eh_folder().filter(|_| native) {
            println!("cargo:rustc-link-search=native={dir}");
            println!("cargo:rustc-link-lib=static=gcc_eh");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
}

/// The folder of the C compiler's libgcc_eh.a, if it has one.
fn libgcc_eh_folder() -> Option<String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = std::process::Command::new(cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()?;
    let path = std::path::PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    // Without the file, the compiler prints the bare name back.
    if !out.status.success() || !path.is_absolute() || !path.is_file() {
        return None;
    }
    Some(path.parent()?.to_str()?.to_string())
}
