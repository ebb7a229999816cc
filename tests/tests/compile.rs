//! Compile tests of the generated crate's API (`trybuild`), as users write it.
//!
//! The workflows users come for are runnable programs in `generated/examples/` (built by
//! `cargo test`/`clippy --all-targets`, run against Prism by `tests/conformance/prism.sh`).
//!
//! `compile/fail/*.rs`: mistakes the types must catch, with the compiler's message in the
//! `.stderr` file beside each: a required path parameter left out, a parameter of the wrong
//! type, and a group used without its cargo feature (`radar`, which this crate does not enable).
//!
//! The cases are built with this crate's dev-dependencies (see `tests/Cargo.toml`). Refresh the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p cloudflare-tests --test compile`, then read them.

#[test]
fn generated_api() {
    let t = trybuild::TestCases::new();
    t.compile_fail("compile/fail/*.rs");
}
