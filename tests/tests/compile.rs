//! Compile tests of the generated crate's API (`trybuild`), as users write it.
//!
//! `compile/pass/*.rs`: one program per workflow users come for (list zones and stream every
//! page, create/update/delete a DNS record, upload a Worker and bind a route, create a KV
//! namespace, purge cache by URL, create a firewall rule, read zone analytics, create a Logpush
//! job, verify a token). Each builds its `async fn` against the real generated crate and checks
//! that the future is `Send`; the program runs, but the workflow is never awaited (it would call
//! the API).
//!
//! `compile/fail/*.rs`: mistakes the types must catch, with the compiler's message in the
//! `.stderr` file beside each: a required path parameter left out, a parameter of the wrong
//! type, and a group used without its cargo feature (`radar`, which this crate does not enable).
//!
//! The cases are built with this crate's dev-dependencies, so `cloudflare-v4` has exactly the
//! features the pass cases need (see `tests/Cargo.toml`). Refresh the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p cloudflare-tests --test compile`, then read them.

#[test]
fn generated_api() {
    let t = trybuild::TestCases::new();
    t.pass("compile/pass/*.rs");
    t.compile_fail("compile/fail/*.rs");
}
