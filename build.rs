//! Links the Linux binary as a fixed-address (non-PIE) executable: the
//! loader then has no relative relocations to apply at start-up (about
//! 25,000 with the AWS SDK linked in), each of which dirtied a page. That
//! start-up runs on every credential_process call and every hook run.
//! Measured in bench/startup.sh; see the README's speed section.
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
