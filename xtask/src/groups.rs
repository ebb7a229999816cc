//! `check-groups`: every API group builds on its own (`--no-default-features --features <group>`),
//! timed, on top of already-built dependencies.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Group features listed in `generated/Cargo.toml` (between the generated markers, minus `full`,
/// `mock` and the hidden `__conformance`).
pub fn groups(root: &Path) -> Result<Vec<String>> {
    let manifest = std::fs::read_to_string(root.join("generated/Cargo.toml"))
        .context("reading generated/Cargo.toml")?;
    let start = manifest
        .find(xtask::regen::FEATURES_BEGIN)
        .context("no generated features block")?;
    let end = manifest
        .find(xtask::regen::FEATURES_END)
        .context("no generated features block")?;
    Ok(manifest[start..end]
        .lines()
        .skip(1)
        .filter_map(|line| {
            line.split_once(" = ")
                .map(|(name, _)| name.trim().to_owned())
        })
        .filter(|name| {
            name != "full"
                && name != cloudflare_codegen::emit::MOCK_FEATURE
                && !name.starts_with("__")
        })
        .collect())
}

pub fn check(root: &Path, only: &[String]) -> Result<()> {
    let all = groups(root)?;
    let selected: Vec<&String> = if only.is_empty() {
        all.iter().collect()
    } else {
        all.iter().filter(|g| only.contains(g)).collect()
    };
    // Build the dependencies (and the runtime) once, so each group's time is its own.
    run(root, &[])?;
    let mut times = Vec::new();
    let mut failed = Vec::new();
    for group in selected {
        let started = Instant::now();
        match run(root, &["--features", group]) {
            Ok(()) => {
                let secs = started.elapsed().as_secs_f64();
                println!("{group:<32} {secs:>6.1} s");
                times.push((secs, group.clone()));
            }
            Err(err) => {
                println!("{group:<32} FAILED: {err:#}");
                failed.push(group.clone());
            }
        }
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    if let (Some(fastest), Some(slowest)) = (times.first(), times.last()) {
        let median = times[times.len() / 2].0;
        println!(
            "{} groups built alone: median {median:.1} s, fastest {} {:.1} s, slowest {} {:.1} s",
            times.len(),
            fastest.1,
            fastest.0,
            slowest.1,
            slowest.0
        );
    }
    if !failed.is_empty() {
        bail!("groups that do not build alone: {}", failed.join(", "));
    }
    Ok(())
}

fn run(root: &Path, features: &[&str]) -> Result<()> {
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "check",
            "--quiet",
            "-p",
            "cloudflare-v4",
            "--no-default-features",
        ])
        .args(features)
        .status()
        .context("running cargo check")?;
    if !status.success() {
        bail!("cargo check {} exited with {status}", features.join(" "));
    }
    Ok(())
}
