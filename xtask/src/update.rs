//! `update`: the newest upstream spec to a versioned release in one step: fetch the newest
//! spec, regenerate, diff against the committed crates, move the version as the diff says,
//! write a changelog section, and print a summary for the pull request.

use anyhow::{bail, Context, Result};
use cloudflare_codegen::diff::Diff;
use std::path::{Path, PathBuf};

use crate::changelog;
use crate::pin::{self, Pin};
use crate::regen::{self, Overlay};
use crate::upstream::Upstream;
use crate::version::{Bump, Version};

/// What `update` was asked for.
pub struct Options {
    /// Where the spec is published.
    pub upstream: Upstream,
    /// Say what would change; write nothing.
    pub dry_run: bool,
    /// Also write the summary to this file (the pull request's body).
    pub summary_file: Option<PathBuf>,
}

/// What an update did.
#[derive(Debug)]
pub enum Outcome {
    /// The pin is already at the newest upstream commit.
    UpToDate {
        /// That commit.
        commit: String,
    },
    /// The pin moved (or would, in a dry run).
    Updated {
        /// The new upstream commit.
        commit: String,
        /// The version before.
        from: Version,
        /// The version after (the same when the API did not change).
        to: Version,
        /// How the version moved.
        bump: Bump,
        /// The summary printed for the pull request.
        summary: String,
    },
}

/// Runs the update in the workspace at `root`.
pub fn run(root: &Path, options: &Options) -> Result<Outcome> {
    let pin = Pin::load(root)?;
    let old_spec = pin::pinned_spec(root)?;
    // The diff is against the committed crates: they must be what the old pin generates.
    let generated = regen::generate(root, None, Overlay::Project)?;
    let (files, extra) = regen::expected_files(root, &generated, None)?;
    let stale = regen::stale(root, &files, &extra);
    if !stale.is_empty() {
        bail!(
            "generated/ is not what the pinned spec generates (an update left half done, or \
             uncommitted changes): run `cargo xtask regen`, review and commit, then update. \
             Stale: {}",
            stale.join(", ")
        );
    }
    let latest = options
        .upstream
        .latest(&pin.file)
        .with_context(|| format!("finding the newest {} of {}", pin.file, options.upstream))?;
    if latest.sha == pin.commit {
        let summary = format!(
            "No update: the pin is at the newest upstream commit of {} ({}).\n",
            pin.file, pin.commit
        );
        print!("{summary}");
        write_summary(options, &summary)?;
        return Ok(Outcome::UpToDate { commit: pin.commit });
    }
    let new_spec = options.upstream.fetch(&latest.sha, &pin.file)?;
    pin::check_spec(&new_spec, &format!("{} at {}", pin.file, latest.sha))?;
    let overlay = regen::read_overlay(root, Overlay::Project)?;
    let version = Version::parse(&regen::workspace_version(root)?)?;
    let diff = cloudflare_codegen::diff::diff_with(
        &old_spec,
        &new_spec,
        &cloudflare_codegen::Options {
            overlay: overlay.as_deref(),
            version: &version.to_string(),
            ..Default::default()
        },
    )
    .map_err(|e| anyhow::anyhow!("comparing the old and new spec: {e}"))?;
    let bump = Bump::of(&diff);
    let next = version.bumped(bump);
    let release = changelog::Release {
        version: &next,
        bump,
        commit: &latest.sha,
        committed_at: &latest.date,
        repository: options
            .upstream
            .github_repository()
            .unwrap_or(&pin.repository),
        diff: &diff,
    };
    let summary = changelog::summary(&release, &version);
    if options.dry_run {
        print!("{summary}\n(dry run: nothing was written)\n");
        write_summary(options, &summary)?;
        return Ok(outcome(latest.sha, version, next, bump, summary));
    }

    // The pin and the spec, then the version, then the crates generated at that version.
    pin::move_to(
        root,
        &new_spec,
        &latest,
        options.upstream.github_repository(),
    )?;
    if bump != Bump::None {
        crate::version::set_workspace_version(root, &next)?;
    }
    if bump == Bump::Breaking {
        // The deprecated aliases of the last renames have had their release.
        let renames = root.join(crate::renames::RENAMES);
        if renames.exists() {
            std::fs::remove_file(&renames)
                .with_context(|| format!("removing {}", renames.display()))?;
        }
    }
    regen::run(
        root,
        &regen::Options {
            spec: None,
            out: None,
            check: false,
            overlay: Overlay::Project,
        },
    )?;
    if bump != Bump::None {
        changelog::prepend(&root.join("CHANGELOG.md"), &changelog::section(&release))?;
    }
    print!("{summary}");
    write_summary(options, &summary)?;
    Ok(outcome(latest.sha, version, next, bump, summary))
}

fn outcome(commit: String, from: Version, to: Version, bump: Bump, summary: String) -> Outcome {
    Outcome::Updated {
        commit,
        from,
        to,
        bump,
        summary,
    }
}

fn write_summary(options: &Options, summary: &str) -> Result<()> {
    match &options.summary_file {
        Some(path) => std::fs::write(path, summary)
            .with_context(|| format!("writing the summary to {}", path.display())),
        None => Ok(()),
    }
}

impl Bump {
    /// The bump a diff asks for: any breaking change is [`Bump::Breaking`], else any change at
    /// all [`Bump::Compatible`], else none.
    pub fn of(diff: &Diff) -> Bump {
        if diff.summary.breaking > 0 {
            Bump::Breaking
        } else if diff.summary.compatible > 0 {
            Bump::Compatible
        } else {
            Bump::None
        }
    }
}
