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
//!   system), the binary loads libgcc_s as before;
//! - with the functions the start-up paths run side by side at the start of
//!   the code (link/hot-text.txt, written by scripts/hot-text.sh): a page
//!   fault maps the 64 KiB around it, so they are read in a few faults
//!   instead of one per scattered function. A name that no longer matches
//!   leaves its function where the linker puts it.
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
        if let Some(script) = hot_text_script() {
            println!("cargo:rustc-link-arg-bins=-Wl,-T,{script}");
        }
    }
    println!("cargo:rerun-if-changed={HOT_TEXT}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CC");
}

const HOT_TEXT: &str = "link/hot-text.txt";

/// A linker script that gathers the functions named in link/hot-text.txt
/// into one output section before `.text` (INSERT keeps the linker's own
/// layout for everything else). Its path, once written to OUT_DIR.
fn hot_text_script() -> Option<String> {
    let names = std::fs::read_to_string(HOT_TEXT).ok()?;
    // Aligned to a fault's 64 KiB window, so the first path fits in one.
    let mut script = String::from("SECTIONS\n{\n  .text.hot : ALIGN(0x10000)\n  {\n");
    for name in names.lines().map(str::trim) {
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        // Each function has a section of its own, named after its symbol
        // (with a `.llvm.N` after it if thin LTO made it a local); a cold
        // one's name starts with .text.unlikely.
        script.push_str(&format!(
            "    *(.text.{name} .text.{name}.* .text.unlikely.{name} .text.unlikely.{name}.*)\n"
        ));
    }
    script.push_str("  }\n}\nINSERT BEFORE .text;\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").ok()?).join("hot-text.ld");
    std::fs::write(&path, script).ok()?;
    Some(path.to_str()?.to_string())
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
