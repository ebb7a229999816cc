//! `regen`: spec → `generated/` (+ `spec/COVERAGE.md`), or `--check` that they are fresh.

use crate::pin::Pin;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub const FEATURES_BEGIN: &str = "# BEGIN GENERATED FEATURES\n";
pub const FEATURES_END: &str = "# END GENERATED FEATURES\n";

/// Reads the spec to generate from: `--spec`, else the pinned copy.
pub fn read_spec(root: &Path, spec: Option<&Path>) -> Result<Vec<u8>> {
    let path = match spec {
        Some(p) => p.to_path_buf(),
        None => {
            let pin = Pin::load(root)?;
            let path = pin.local_path(root);
            if !path.exists() {
                bail!(
                    "no spec at {}: run `cargo xtask fetch-spec` (downloads commit {}), or \
                     `cargo xtask fetch-spec --from <a local copy>`",
                    path.display(),
                    pin.commit
                );
            }
            path
        }
    };
    std::fs::read(&path).with_context(|| format!("reading spec {}", path.display()))
}

/// Where a standalone crate (`regen --out DIR`) keeps its copy of the runtime crate, relative
/// to `DIR`: a member of the standalone workspace, which the generated crate depends on by
/// this path.
pub const STANDALONE_RUNTIME: &str = "runtime";

/// Every file `regen` writes for `generated` (absolute path → contents), and the files in the
/// crate's `src/` it no longer makes. With `out`, a standalone workspace there instead of the
/// workspace's `generated/`, `spec/COVERAGE.md` and conformance table: the generated crate,
/// and a copy of the runtime crate in `out/runtime` (its `src/` is copied by `run`; its
/// manifest is in this list). `regen --check` and the `freshness` test both check exactly
/// this list.
pub fn expected_files(
    root: &Path,
    generated: &cloudflare_codegen::Generated,
    out: Option<&Path>,
) -> Result<(BTreeMap<PathBuf, String>, Vec<PathBuf>)> {
    let crate_dir = root.join("generated");
    let mut files: BTreeMap<PathBuf, String> = BTreeMap::new();
    let target = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| crate_dir.clone());
    for (rel, text) in &generated.files {
        files.insert(target.join(rel), text.clone());
    }
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml"))
        .context("reading generated/Cargo.toml")?;
    let mut manifest = splice_features(&manifest, &generated.features)?;
    if let Some(out) = out {
        // A standalone crate: its own workspace, with the hand-written runtime copied in.
        let workspace =
            std::fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
        manifest = standalone_manifest(&manifest, &workspace, true)?;
        let runtime = std::fs::read_to_string(root.join("runtime/Cargo.toml"))
            .context("reading runtime/Cargo.toml")?;
        files.insert(
            out.join(STANDALONE_RUNTIME).join("Cargo.toml"),
            standalone_manifest(&runtime, &workspace, false)?,
        );
    } else {
        files.insert(
            root.join("spec/COVERAGE.md"),
            generated.report.to_markdown(),
        );
        // Test support, beside the product: the conformance tests' table of operations.
        let table =
            cloudflare_codegen::test_support::conformance_table(&generated.api, &generated.names)
                .context("formatting the conformance table")?;
        files.insert(root.join("tests/conformance/src/table.rs"), table);
    }
    files.insert(target.join("Cargo.toml"), manifest);
    let stale_extra = extra_generated_files(&target.join("src"), &generated.files)?;
    Ok((files, stale_extra))
}

/// The files of `expected_files` whose contents differ on disk, and those no longer made,
/// relative to `root`.
pub fn stale(root: &Path, files: &BTreeMap<PathBuf, String>, extra: &[PathBuf]) -> Vec<String> {
    let mut stale: Vec<String> = files
        .iter()
        .filter(|(path, text)| std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()))
        .map(|(path, _)| rel(root, path))
        .collect();
    stale.extend(
        extra
            .iter()
            .map(|p| format!("{} (no longer generated)", rel(root, p))),
    );
    stale
}

pub fn run(root: &Path, spec: Option<&Path>, out: Option<&Path>, check: bool) -> Result<()> {
    let started = Instant::now();
    let bytes = read_spec(root, spec)?;
    let generated = cloudflare_codegen::generate(&bytes).context("generating")?;
    for warning in &generated.warnings {
        eprintln!("warning: the spec leaves out {warning}");
    }
    let (files, stale_extra) = expected_files(root, &generated, out)?;
    let target = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("generated"));

    if check {
        let stale = stale(root, &files, &stale_extra);
        if !stale.is_empty() {
            bail!(
                "generated output is stale; run `cargo xtask regen`. Stale files:\n  {}",
                stale.join("\n  ")
            );
        }
        println!("generated/ is up to date ({} files)", files.len());
        return Ok(());
    }
    if let Some(out) = out {
        copy_dir(
            &root.join("runtime/src"),
            &out.join(STANDALONE_RUNTIME).join("src"),
        )?;
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        }
    }
    for path in &stale_extra {
        std::fs::remove_file(path)?;
    }
    let lines: usize = generated.files.values().map(|t| t.lines().count()).sum();
    let t = &generated.report.totals;
    println!(
        "{} {}: {} groups, {} operations ({} deprecated, {} paginated), {} types ({} structs, {} enums, {} unions, {} aliases), {} degraded items",
        generated.report.spec_title,
        generated.report.spec_version,
        generated.report.groups.len(),
        t.operations,
        t.deprecated_operations,
        t.paginated_operations,
        t.types,
        t.structs,
        t.enums,
        t.unions,
        t.aliases,
        t.degraded
    );
    println!(
        "wrote {} files, {lines} lines, to {} in {:.2} s",
        generated.files.len(),
        target.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Replaces the lines between the generated-features markers.
fn splice_features(manifest: &str, features: &str) -> Result<String> {
    let (Some(begin), Some(end)) = (manifest.find(FEATURES_BEGIN), manifest.find(FEATURES_END))
    else {
        bail!(
            "generated/Cargo.toml lacks the `{}`/`{}` markers",
            FEATURES_BEGIN.trim(),
            FEATURES_END.trim()
        );
    };
    let start = begin + FEATURES_BEGIN.len();
    if end < start {
        bail!("generated/Cargo.toml: feature markers out of order");
    }
    Ok(format!(
        "{}{}{}",
        &manifest[..start],
        features,
        &manifest[end..]
    ))
}

/// A crate manifest with every `x.workspace = true` replaced by the workspace's value. With
/// `root` (the generated crate), it is the root of a workspace of its own (`[workspace]`)
/// whose runtime is the copy in [`STANDALONE_RUNTIME`]; without, a member of that workspace.
fn standalone_manifest(manifest: &str, workspace: &str, root: bool) -> Result<String> {
    let mut crate_toml: toml::Table = manifest.parse().context("parsing a crate manifest")?;
    let ws: toml::Table = workspace.parse().context("parsing Cargo.toml")?;
    let ws = ws
        .get("workspace")
        .and_then(|w| w.as_table())
        .context("Cargo.toml has no [workspace]")?;
    let inherits = |v: &toml::Value| {
        v.as_table()
            .and_then(|t| t.get("workspace"))
            .and_then(|w| w.as_bool())
            == Some(true)
    };
    if let (Some(package), Some(ws_package)) = (
        crate_toml.get_mut("package").and_then(|p| p.as_table_mut()),
        ws.get("package").and_then(|p| p.as_table()),
    ) {
        for (key, value) in package.iter_mut() {
            if inherits(value) {
                *value = ws_package
                    .get(key)
                    .cloned()
                    .with_context(|| format!("workspace.package.{key} missing"))?;
            }
        }
    }
    let ws_deps = ws
        .get("dependencies")
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_default();
    for section in ["dependencies", "dev-dependencies"] {
        let Some(deps) = crate_toml.get_mut(section).and_then(|d| d.as_table_mut()) else {
            continue;
        };
        for (name, value) in deps.iter_mut() {
            if !inherits(value) {
                continue;
            }
            let mut resolved = match ws_deps
                .get(name)
                .with_context(|| format!("workspace.dependencies.{name} missing"))?
            {
                toml::Value::String(version) => {
                    let mut t = toml::Table::new();
                    t.insert("version".into(), toml::Value::String(version.clone()));
                    t
                }
                toml::Value::Table(t) => t.clone(),
                other => anyhow::bail!("unexpected workspace dependency `{name}`: {other}"),
            };
            if let Some(local) = value.as_table() {
                for (k, v) in local {
                    match (k.as_str(), resolved.get_mut(k)) {
                        ("workspace", _) => {}
                        ("features", Some(toml::Value::Array(existing))) => {
                            existing.extend(v.as_array().cloned().unwrap_or_default());
                        }
                        _ => {
                            resolved.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            *value = toml::Value::Table(resolved);
        }
    }
    // Examples live beside the committed crate only.
    crate_toml.remove("example");
    if root {
        let runtime = crate_toml
            .get_mut("dependencies")
            .and_then(|d| d.get_mut("cloudflare-v4-runtime"))
            .and_then(|r| r.as_table_mut())
            .context("generated/Cargo.toml has no cloudflare-v4-runtime dependency")?;
        runtime.insert(
            "path".into(),
            toml::Value::String(STANDALONE_RUNTIME.into()),
        );
        crate_toml.insert("workspace".into(), toml::Value::Table(toml::Table::new()));
    }
    Ok(toml::to_string(&crate_toml)?)
}

/// `src/*.rs` files that are not hand-written and that this run no longer generates.
fn extra_generated_files(src: &Path, files: &BTreeMap<String, String>) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(src) else {
        return Ok(out);
    };
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if path.is_file() && name.ends_with(".rs") && !files.contains_key(&format!("src/{name}")) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest)?;
        }
    }
    Ok(())
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
