//! Rebuild the binary when the console assets change: they are embedded.

fn main() {
    println!("cargo:rerun-if-changed=../target/site");
    println!("cargo:rerun-if-changed=build.rs");
}
