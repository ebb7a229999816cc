//! The maintainer tasks' shared parts, also used by the tests: where the pinned spec is
//! ([`pin::pinned_spec`]) and which files `regen` writes ([`regen::expected_files`]), so that
//! `cargo xtask regen --check` and the `freshness` test check one list of outputs.

pub mod pin;
pub mod regen;
