//! OpenAPI → Rust generator for the Cloudflare v4 API client.
//!
//! Pure: [`generate`] takes the bytes of a spec (JSON or YAML) and returns the generated
//! files and a report; it does no I/O. The data path, one module per stage, each testable
//! alone:
//!
//! 1. [`load`]: bytes → `openapiv3::OpenAPI` (errors carry the JSON path and line; omissions
//!    that change nothing are tolerated and reported as warnings), after [`overlay`], the
//!    project's corrections of the spec as an OpenAPI Overlay, when one is given;
//! 2. [`spec`]: the resolved spec, OpenAPI's reading rules (`$ref`s, effective parameters,
//!    success response, object parts) in one place;
//! 3. [`lower`]: → [`ir::Api`], one module per construct (groups, schemas, `allOf`,
//!    operations, bodies and responses);
//! 4. [`passes`]: `fn(&mut Api)` each, in a documented order (tag unions, order them, break
//!    alias cycles, merge identical types, box recursion, mark usage, compact);
//! 5. [`naming`]: → [`naming::Names`] (deterministic, documented collision resolution);
//! 6. [`emit`]: → token streams per file (`quote`);
//! 7. [`format`]: → formatted text (`prettyplease`) with a do-not-edit header.
//!
//! [`ir`] holds the IR and its one walk over type references ([`ir::Role`],
//! `TypeKind::for_each_ref`, `Operation::for_each_ref`, `Api::remap_type_ids`).

pub mod diff;
pub mod emit;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod overlay;
pub mod passes;
pub mod report;
pub mod spec;
pub mod test_support;

/// The OpenAPI document types [`load`] parses into and [`build_ir`] reads.
pub use openapiv3;

use std::collections::BTreeMap;

/// What a generation run produces.
#[derive(Debug, Clone)]
pub struct Generated {
    /// File contents keyed by path relative to the facade crate's root: its `src/lib.rs`, and
    /// each group crate's `groups/<module>/Cargo.toml`, `README.md` and `src/lib.rs`
    /// ([`emit`] has the layout). The runtime they build on is the hand-written crate
    /// `runtime/` (`cloudflare-v4-runtime`), never here.
    pub files: BTreeMap<String, String>,
    /// Lines of the `[features]` section between the generated markers of the facade's
    /// `Cargo.toml`.
    pub features: String,
    /// Lines of the `[dependencies]` section between the generated markers of the facade's
    /// `Cargo.toml`.
    pub dependencies: String,
    /// Counts and degraded items.
    pub report: report::Report,
    /// What the spec leaves out that was tolerated (read as empty), with locations.
    pub warnings: Vec<load::LoadWarning>,
    /// What each action of the overlay did (empty without an overlay); also in the report.
    pub overlay: Vec<overlay::AppliedAction>,
    /// The IR the files were emitted from, for tools and test support
    /// ([`test_support`]); not needed to write the crate.
    pub api: ir::Api,
    /// The names the files use.
    pub names: naming::Names,
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
    /// The overlay could not be read or applied.
    #[error(transparent)]
    Overlay(#[from] overlay::OverlayError),
}

/// Stages 3 and 4: lowers a parsed spec and runs the passes, giving the IR that naming and
/// emit read.
pub fn build_ir(spec: &openapiv3::OpenAPI) -> ir::Api {
    let mut api = lower::lower(spec);
    passes::run(&mut api);
    api
}

/// The spec (JSON or YAML) with the overlay applied, as JSON, and what each action did.
pub fn apply_overlay(
    spec: &[u8],
    overlay: &[u8],
) -> Result<(Vec<u8>, Vec<overlay::AppliedAction>), Error> {
    let overlay = overlay::parse(overlay)?;
    let mut document = load::parse_document(spec)?;
    let applied = overlay::apply(&mut document, &overlay)?;
    // A JSON value always serializes: its keys are strings.
    let corrected = serde_json::to_vec(&document).unwrap_or_default();
    Ok((corrected, applied))
}

/// The inputs of a run besides the spec.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// An overlay document (JSON or YAML, [`overlay`]) that corrects the spec before it is read;
    /// what each action did is in [`Generated::overlay`] and the report.
    pub overlay: Option<&'a [u8]>,
    /// The version of the crates: the group crates and the facade depend on each other with
    /// exactly this version (`version = "=<version>"`), as crates.io requires of path
    /// dependencies.
    pub version: &'a str,
    /// Types renamed since the last release: each gets a `#[deprecated]` alias under its old
    /// name, so that code naming it keeps compiling with a warning that says the new name.
    pub renamed_types: &'a [RenamedType],
    /// The path each renamed method and type had before (current path → old path, as in
    /// `spec/renames.json`): the report's names figures then have a `before` column.
    pub previous_paths: &'a BTreeMap<String, String>,
}

/// A type renamed by a generator change (from `spec/renames.json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenamedType {
    /// The module (`zones`).
    pub module: String,
    /// The old name (`Status2`).
    pub old: String,
    /// The new name, in the same module (`ZoneStatus`).
    pub new: String,
}

impl Default for Options<'_> {
    /// No overlay; version [`DEFAULT_VERSION`].
    fn default() -> Self {
        Options {
            overlay: None,
            version: DEFAULT_VERSION,
            renamed_types: &[],
            previous_paths: &NO_PREVIOUS_PATHS,
        }
    }
}

static NO_PREVIOUS_PATHS: BTreeMap<String, String> = BTreeMap::new();

/// The crates' version when none is given (tests, fixtures): `cargo xtask regen` passes the
/// workspace's.
pub const DEFAULT_VERSION: &str = "0.0.0";

/// Runs every stage on a spec, as it is, with [`Options::default`].
pub fn generate(spec: &[u8]) -> Result<Generated, Error> {
    generate_with(spec, &Options::default())
}

/// Runs every stage on a spec with these options. The group crates are emitted and formatted
/// on as many threads as the machine has cores (they are independent); the output does not
/// depend on how many.
pub fn generate_with(spec: &[u8], options: &Options<'_>) -> Result<Generated, Error> {
    let (corrected, applied) = match options.overlay {
        Some(overlay) => {
            let (corrected, applied) = apply_overlay(spec, overlay)?;
            (Some(corrected), applied)
        }
        None => (None, Vec::new()),
    };
    let loaded = load::load_tolerant(corrected.as_deref().unwrap_or(spec))?;
    let api = build_ir(&loaded.spec);
    let names = naming::assign(&api);
    // Largest crates first, so that no big one is left for last on one core.
    let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
    let members = api.operations.iter().map(|op| op.group.as_str());
    for group in members.chain(api.types.iter().map(|t| t.group.as_str())) {
        *sizes.entry(names.crates[group].as_str()).or_default() += 1;
    }
    let mut work: Vec<&str> = names.crate_groups.keys().map(String::as_str).collect();
    work.sort_by_key(|package| std::cmp::Reverse(sizes.get(package).copied().unwrap_or(0)));
    // Token streams are not `Send`: each crate is emitted and formatted on one thread.
    let crates = parallel_map(&work, |package| {
        emit::group_crate(&api, &names, package, options)
            .map(|krate| {
                let path = format!("{}/src/lib.rs", krate.dir);
                let text = format::format_file(&path, krate.source)?;
                Ok::<_, format::FormatError>((
                    krate.dir,
                    text,
                    krate.manifest,
                    krate.readme,
                    krate.needs,
                ))
            })
            .transpose()
    });
    let mut files = BTreeMap::new();
    let mut needs = BTreeMap::new();
    for krate in crates {
        let Some((dir, text, manifest, readme, crate_needs)) = krate? else {
            continue;
        };
        files.insert(format!("{dir}/src/lib.rs"), text);
        files.insert(format!("{dir}/Cargo.toml"), manifest);
        files.insert(format!("{dir}/README.md"), readme);
        needs.extend(crate_needs);
    }
    let facade = emit::facade(&api, &names, &needs, options.version);
    files.insert(
        "src/lib.rs".into(),
        format::format_file("src/lib.rs", facade.source)?,
    );
    let mut report = report::build(&api, &names);
    if !options.previous_paths.is_empty() {
        report.names_before = Some(report::name_stats(&api, &names, options.previous_paths));
    }
    report.overlay = applied.clone();
    Ok(Generated {
        files,
        features: facade.features,
        dependencies: facade.dependencies,
        report,
        warnings: loaded.warnings,
        overlay: applied,
        api,
        names,
    })
}

/// `f` over `items` on up to one thread per core, results in the order of `items`. A panic in
/// `f` is raised again here.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = Vec::with_capacity(items.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(done) => results.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, result)| result).collect()
}
