// sqlx::migrate! embeds ./migrations at compile time; without this, a new migration file
// is not seen until some Rust source changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
