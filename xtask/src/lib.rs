//! The maintainer tasks' shared parts, also used by the tests: where the pinned spec is
//! ([`pin::pinned_spec`]) and which files `regen` writes ([`regen::expected_files`]), so that
//! `cargo xtask regen --check` and the `freshness` test check one list of outputs; and the
//! release flow ([`update`]: the upstream repository, the version, the changelog), which the
//! end-to-end test runs on a local upstream.

pub mod changelog;
pub mod pin;
pub mod regen;
pub mod renames;
pub mod update;
pub mod upstream;
pub mod version;
