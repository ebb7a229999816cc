//! OpenAPI → Rust generator for the Cloudflare v4 API client.
//!
//! Pure: [`generate`] takes the bytes of a spec (JSON or YAML) and returns the generated
//! files and a report; it does no I/O. The stages, each in its own module and testable alone:
//!
//! 1. [`load`]: bytes → `openapiv3::OpenAPI` (errors carry the JSON path and line);
//! 2. [`normalize`]: → [`ir::Api`] (refs resolved, allOf merged, envelopes and pagination
//!    detected, unions tagged, recursion boxed, directions of use marked);
//! 3. [`naming`]: → [`naming::Names`] (deterministic, documented collision resolution);
//! 4. [`emit`]: → token streams per file (`quote`);
//! 5. [`format`]: → formatted text (`prettyplease`) with a do-not-edit header.

pub mod diff;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod naming;
pub mod normalize;
pub mod report;

use std::collections::BTreeMap;

/// What a generation run produces.
#[derive(Debug, Clone)]
pub struct Generated {
    /// File contents keyed by path relative to the generated crate's root (`src/lib.rs`,
    /// `src/dns_records.rs`, …). The runtime they build on is the hand-written crate
    /// `runtime/` (`cloudflare-v4-runtime`), never here.
    pub files: BTreeMap<String, String>,
    /// Lines of the `[features]` section between the generated markers of `Cargo.toml`.
    pub features: String,
    /// Counts and degraded items.
    pub report: report::Report,
    /// The conformance tests' operation table (`tests/conformance/src/table.rs`).
    pub conformance_table: String,
    /// What the spec leaves out that was tolerated (read as empty), with locations.
    pub warnings: Vec<load::LoadWarning>,
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec could not be read.
    #[error(transparent)]
    Load(#[from] load::LoadError),
    /// The generator produced invalid Rust (a bug in the generator).
    #[error(transparent)]
    Format(#[from] format::FormatError),
}

/// Runs every stage on a spec.
pub fn generate(spec: &[u8]) -> Result<Generated, Error> {
    let loaded = load::load_tolerant(spec)?;
    let api = normalize::normalize(&loaded.spec);
    let names = naming::assign(&api);
    let emitted = emit::emit(&api, &names);
    let mut files = BTreeMap::new();
    for (path, tokens) in emitted.files {
        let text = format::format_file(&path, tokens)?;
        files.insert(path, text);
    }
    let report = report::build(&api, &names);
    let conformance_table = format::format_file("conformance table", emitted.conformance)?;
    Ok(Generated {
        files,
        features: emitted.features,
        report,
        conformance_table,
        warnings: loaded.warnings,
    })
}
