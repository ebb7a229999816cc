//! Maintainer tasks: `cargo xtask <command>`. See `cargo xtask --help`.

mod bench;
mod diff;
mod groups;
mod size;
mod tree_memory;

use xtask::{pin, regen};

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "xtask",
    about = "Maintainer tasks for the Cloudflare client generator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate `generated/` (and `spec/COVERAGE.md`) from the pinned spec.
    Regen {
        /// Fail, naming the stale files, if the committed output differs; write nothing.
        #[arg(long)]
        check: bool,
        /// Read this spec instead of the pinned copy (JSON or YAML).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Write a complete, standalone copy of the crate here instead of into `generated/`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Generate from the spec as published, without the corrections of `spec/overlay.yaml`
        /// (with `--out` or `--check`: the committed crate is the corrected one).
        #[arg(long, conflicts_with = "overlay")]
        no_overlay: bool,
        /// Apply this overlay (OpenAPI Overlay 1.0.0) instead of `spec/overlay.yaml` (with
        /// `--out` or `--check`).
        #[arg(long)]
        overlay: Option<PathBuf>,
    },
    /// After a generator change that renames methods or types, instead of `regen`: write the
    /// rename map (`spec/renames.json`, old path → new, matched by operation and schema
    /// location), move the version as a breaking change, prepend the renames to CHANGELOG.md,
    /// and regenerate (the renamed types get `#[deprecated]` aliases).
    Renames,
    /// Write the pinned spec with `spec/overlay.yaml` applied (JSON): the spec the generated
    /// crate describes, which the Prism conformance run serves.
    Overlay {
        /// Where to write it.
        out: PathBuf,
    },
    /// Put the pinned spec where `regen` reads it (`spec/openapi.json`), verifying its sha256;
    /// or move the pin (`--commit`, `--latest`).
    FetchSpec {
        /// Copy from a local file instead of downloading from upstream.
        #[arg(long, conflicts_with_all = ["commit", "latest"])]
        from: Option<PathBuf>,
        /// Move the pin to this upstream commit (records the new sha256) and fetch it.
        #[arg(long, conflicts_with = "latest")]
        commit: Option<String>,
        /// Move the pin to the newest upstream commit that changed the spec file.
        #[arg(long)]
        latest: bool,
        /// The upstream repository for `--latest`: a GitHub URL, another git URL, or a local
        /// git directory.
        #[arg(long, default_value = xtask::upstream::DEFAULT_UPSTREAM)]
        upstream: String,
    },
    /// From the newest upstream spec to a release: fetch it (moving the pin), regenerate,
    /// diff against the committed crates, move the version as the diff says (breaking: minor
    /// while at 0.x; compatible: patch; no API change: none), prepend a CHANGELOG.md section,
    /// and print a summary for the pull request. Running it again changes nothing.
    Update {
        /// The upstream repository: a GitHub URL, another git URL, or a local git directory.
        #[arg(long, default_value = xtask::upstream::DEFAULT_UPSTREAM)]
        upstream: String,
        /// Print what would change; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the summary to this file (the pull request's body).
        #[arg(long)]
        summary_file: Option<PathBuf>,
    },
    /// Check that every API group builds on its own, and time each.
    CheckGroups {
        /// Only these groups (default: all).
        groups: Vec<String>,
    },
    /// Coverage report of a spec: per group and in total, with every degraded item.
    Coverage {
        /// Print JSON instead of Markdown.
        #[arg(long)]
        json: bool,
        /// Spec to report on (default: the pinned copy).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Report on the spec as published, without `spec/overlay.yaml`.
        #[arg(long)]
        no_overlay: bool,
    },
    /// Compare two specs (JSON or YAML): operations and schemas added, removed and changed,
    /// and each change's effect on the generated Rust API (breaking or compatible).
    Diff {
        /// The older spec.
        old: PathBuf,
        /// The newer spec.
        new: PathBuf,
        /// Print JSON instead of Markdown.
        #[arg(long)]
        json: bool,
        /// Compare the specs as published, without `spec/overlay.yaml` (which `regen` applies).
        #[arg(long)]
        no_overlay: bool,
    },
    /// Measure generation and compile figures of the generated crate (medians of N runs) as a
    /// Markdown table; `--quick` is the CI form with a ratio guard against
    /// `xtask/bench-baseline.json`.
    BenchCompile(bench::Args),
    /// Build a release program that lists DNS records with the generated client (only the
    /// `dns-records` group) and the same program with plain reqwest + serde, and compare their
    /// stripped binary sizes.
    BenchSize,
}

fn main() -> Result<()> {
    let root = workspace_root();
    match Cli::parse().command {
        Command::Regen {
            check,
            spec,
            out,
            no_overlay,
            overlay,
        } => regen::run(
            &root,
            &regen::Options {
                spec: spec.as_deref(),
                out: out.as_deref(),
                check,
                overlay: match (&overlay, no_overlay) {
                    (Some(path), _) => regen::Overlay::File(path),
                    (None, true) => regen::Overlay::None,
                    (None, false) => regen::Overlay::Project,
                },
            },
        ),
        Command::Renames => renames(&root),
        Command::Overlay { out } => {
            let corrected = regen::corrected_spec(&root)?;
            std::fs::write(&out, corrected)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))
        }
        Command::FetchSpec {
            from,
            commit,
            latest,
            upstream,
        } => {
            let upstream = xtask::upstream::Upstream::parse(&upstream)?;
            let source = match (from.as_deref(), commit.as_deref(), latest) {
                (Some(path), _, _) => pin::Source::File(path),
                (None, Some(commit), _) => pin::Source::Commit(commit),
                (None, None, true) => pin::Source::Latest(&upstream),
                (None, None, false) => pin::Source::Pinned,
            };
            pin::fetch(&root, source).map(drop)
        }
        Command::Update {
            upstream,
            dry_run,
            summary_file,
        } => {
            let options = xtask::update::Options {
                upstream: xtask::upstream::Upstream::parse(&upstream)?,
                dry_run,
                summary_file,
            };
            xtask::update::run(&root, &options).map(drop)
        }
        Command::CheckGroups { groups } => groups::check(&root, &groups),
        Command::Coverage {
            json,
            spec,
            no_overlay,
        } => {
            let overlay = if no_overlay {
                regen::Overlay::None
            } else {
                regen::Overlay::Project
            };
            let generated = regen::generate(&root, spec.as_deref(), overlay)?;
            if json {
                write_stdout(&(serde_json::to_string_pretty(&generated.report)? + "\n"))
            } else {
                write_stdout(&generated.report.to_markdown())
            }
        }
        Command::Diff {
            old,
            new,
            json,
            no_overlay,
        } => {
            let overlay = if no_overlay {
                regen::Overlay::None
            } else {
                regen::Overlay::Project
            };
            let overlay = regen::read_overlay(&root, overlay)?;
            write_stdout(&diff::run(&old, &new, json, overlay.as_deref())?)
        }
        Command::BenchCompile(args) => bench::run(&root, &args),
        Command::BenchSize => size::run(&root),
    }
}

/// The workspace root (xtask lives in `<root>/xtask`).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Writes a report to stdout; a reader that goes away early (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `renames`: the rename map between the committed crate and the generator's output.
fn renames(root: &std::path::Path) -> Result<()> {
    use xtask::{changelog, renames, version};
    let (old_files, old_features) = renames::committed(root)?;
    let generated = regen::generate(root, None, regen::Overlay::Project)?;
    let found = renames::between(
        &old_files,
        &old_features,
        &generated.files,
        &generated.features,
    )?;
    if found.is_empty() {
        println!(
            "no renames between the committed crate and the generator's output; {} kept",
            renames::RENAMES
        );
        return Ok(());
    }
    // A new name that was another item's old name moves calls silently where the signatures
    // agree: say so, for the reviewer.
    for rename in &found {
        if let Some(was) = found
            .iter()
            .find(|r| r.old == rename.new && r.origin != rename.origin)
        {
            eprintln!(
                "warning: `{}` now stands for {} (it stood for {}): check that code calling it cannot compile unchanged",
                rename.new, rename.origin, was.origin
            );
        }
    }
    let path = root.join(renames::RENAMES);
    xtask::pin::write_atomically(
        &path,
        (serde_json::to_string_pretty(&found)? + "\n").as_bytes(),
    )?;
    let current = version::Version::parse(&regen::workspace_version(root)?)?;
    let next = current.bumped(version::Bump::Breaking);
    version::set_workspace_version(root, &next)?;
    let (methods, types) = found.iter().partition::<Vec<_>, _>(|r| r.kind == "method");
    let section = format!(
        "## {next} — names\n\n\
         Methods and types renamed by the naming rules (README, *How spec types map to Rust*): \
         {} methods and {} types. Each renamed type keeps its old name as a `#[deprecated]` \
         alias for this release; methods do not (see README). The map is `{}`.\n\n\
         ### Renamed\n\n{}",
        methods.len(),
        types.len(),
        renames::RENAMES,
        renames::changelog_lines(&found)
    );
    changelog::prepend(&root.join("CHANGELOG.md"), &section)?;
    // At once: the manifests must carry the new version before cargo reads the workspace again.
    regen::run(
        root,
        &regen::Options {
            spec: None,
            out: None,
            check: false,
            overlay: regen::Overlay::Project,
        },
    )?;
    println!(
        "{} renames ({} methods, {} types) → {}; version {current} → {next}; CHANGELOG.md and generated/ updated.",
        found.len(),
        methods.len(),
        types.len(),
        path.display()
    );
    Ok(())
}
