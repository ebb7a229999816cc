//! `regen`: spec → `generated/` (+ `spec/COVERAGE.md`), or `--check` that they are fresh.

use crate::pin::Pin;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub const FEATURES_BEGIN: &str = "# BEGIN GENERATED FEATURES\n";
pub const FEATURES_END: &str = "# END GENERATED FEATURES\n";
pub const DEPENDENCIES_BEGIN: &str = "# BEGIN GENERATED DEPENDENCIES\n";
pub const DEPENDENCIES_END: &str = "# END GENERATED DEPENDENCIES\n";

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

/// The project's corrections of the spec (OpenAPI Overlay 1.0.0), relative to the root.
pub const OVERLAY: &str = "spec/overlay.yaml";

/// Which overlay a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay<'a> {
    /// The project's, `spec/overlay.yaml` (the default).
    Project,
    /// Another overlay document (`--overlay FILE`).
    File(&'a Path),
    /// None: the spec as published (`--no-overlay`).
    None,
}

/// The bytes of the overlay a run applies, if any.
pub fn read_overlay(root: &Path, overlay: Overlay<'_>) -> Result<Option<Vec<u8>>> {
    let path = match overlay {
        Overlay::Project => root.join(OVERLAY),
        Overlay::File(path) => path.to_path_buf(),
        Overlay::None => return Ok(None),
    };
    std::fs::read(&path)
        .map(Some)
        .with_context(|| format!("reading the overlay {}", path.display()))
}

/// Generates from `--spec` (else the pinned copy) with the overlay: what `regen`, `coverage`
/// and the tests that check the committed output all run.
pub fn generate(
    root: &Path,
    spec: Option<&Path>,
    overlay: Overlay<'_>,
) -> Result<cloudflare_codegen::Generated> {
    let bytes = match spec {
        Some(_) => read_spec(root, spec)?,
        None => crate::pin::pinned_spec(root)?,
    };
    let overlay = read_overlay(root, overlay)?;
    let version = workspace_version(root)?;
    let renamed_types = renamed_types(root)?;
    let previous_paths = crate::renames::load(root)?
        .into_iter()
        .map(|r| (r.new, r.old))
        .collect();
    let options = cloudflare_codegen::Options {
        overlay: overlay.as_deref(),
        version: &version,
        renamed_types: &renamed_types,
        previous_paths: &previous_paths,
    };
    cloudflare_codegen::generate_with(&bytes, &options).context("generating")
}

/// The types of `spec/renames.json` renamed within their module: each gets a deprecated alias.
pub fn renamed_types(root: &Path) -> Result<Vec<cloudflare_codegen::RenamedType>> {
    let split = |path: &str| {
        let rest = path.strip_prefix("cloudflare_v4::")?;
        let (module, name) = rest.rsplit_once("::")?;
        (!module.contains("::")).then(|| (module.to_owned(), name.to_owned()))
    };
    Ok(crate::renames::load(root)?
        .into_iter()
        .filter(|r| r.kind == "type")
        .filter_map(|r| {
            let (module, old) = split(&r.old)?;
            let (new_module, new) = split(&r.new)?;
            (module == new_module).then_some(cloudflare_codegen::RenamedType { module, old, new })
        })
        .collect())
}

/// The crates' version: `[workspace.package] version` of the root `Cargo.toml`.
pub fn workspace_version(root: &Path) -> Result<String> {
    let path = root.join("Cargo.toml");
    let manifest: toml::Table = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {}", path.display()))?
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .with_context(|| format!("{} has no [workspace.package] version", path.display()))
}

/// The pinned spec with the overlay applied, as JSON: what the generated crate describes, and
/// what the conformance tests and the Prism mock server read.
pub fn corrected_spec(root: &Path) -> Result<Vec<u8>> {
    let spec = crate::pin::pinned_spec(root)?;
    let overlay = read_overlay(root, Overlay::Project)?.unwrap_or_default();
    let (corrected, _) = cloudflare_codegen::apply_overlay(&spec, &overlay)?;
    Ok(corrected)
}

/// Where a standalone crate (`regen --out DIR`) keeps its copy of the runtime crate, relative
/// to `DIR`: the same place as in this repository's workspace, so that the workspace's
/// `cloudflare-v4-runtime = { path = "runtime" }` holds in both.
pub const STANDALONE_RUNTIME: &str = "runtime";

/// Every file `regen` writes for `generated` (absolute path → contents), and the files and
/// group crates it no longer makes. The facade crate `generated/` gets its `src/lib.rs`, the
/// generated blocks of its `Cargo.toml`, and the group crates in `generated/groups/`. With
/// `out`, a standalone workspace there instead of the workspace's `generated/`,
/// `spec/COVERAGE.md` and conformance table: the facade crate as the workspace root, its group
/// crates, and a copy of the runtime crate in `out/runtime` (its `src/` is copied by `run`;
/// its manifest is in this list). `regen --check` and the `freshness` test both check exactly
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
    let manifest = splice(&manifest, FEATURES_BEGIN, FEATURES_END, &generated.features)?;
    let mut manifest = splice(
        &manifest,
        DEPENDENCIES_BEGIN,
        DEPENDENCIES_END,
        &generated.dependencies,
    )?;
    if let Some(out) = out {
        // A standalone crate: the root of a workspace of its own, with the hand-written
        // runtime copied in.
        let workspace =
            std::fs::read_to_string(root.join("Cargo.toml")).context("reading Cargo.toml")?;
        let has_groups = generated
            .files
            .keys()
            .any(|path| path.starts_with("groups/"));
        manifest = standalone_manifest(&manifest, &workspace, has_groups)?;
        let runtime = std::fs::read_to_string(root.join("runtime/Cargo.toml"))
            .context("reading runtime/Cargo.toml")?;
        files.insert(out.join(STANDALONE_RUNTIME).join("Cargo.toml"), runtime);
        // The facade's hand-written README, which its crate docs include.
        let readme = std::fs::read_to_string(crate_dir.join("README.md"))
            .context("reading generated/README.md")?;
        files.insert(out.join("README.md"), readme);
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
    let stale_extra = no_longer_generated(&target, &generated.files)?;
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

/// What `regen` was asked for.
pub struct Options<'a> {
    /// `--spec`: another spec than the pinned copy.
    pub spec: Option<&'a Path>,
    /// `--out`: a standalone workspace there instead of `generated/`.
    pub out: Option<&'a Path>,
    /// `--check`: compare, write nothing.
    pub check: bool,
    /// `--overlay FILE` / `--no-overlay`.
    pub overlay: Overlay<'a>,
}

pub fn run(root: &Path, options: &Options<'_>) -> Result<()> {
    let Options {
        spec,
        out,
        check,
        overlay,
    } = *options;
    if overlay != Overlay::Project && out.is_none() && !check {
        bail!(
            "another overlay (or none) makes another crate than the committed one: use \
             `--overlay`/`--no-overlay` with `--out DIR` or `--check`"
        );
    }
    let started = Instant::now();
    let generated = generate(root, spec, overlay)?;
    for warning in &generated.warnings {
        eprintln!("warning: the spec leaves out {warning}");
    }
    for action in &generated.overlay {
        if action.is_stale() {
            eprintln!("warning: {action}: review it in {OVERLAY}");
        } else if !check {
            println!("{action}");
        }
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
        if path.is_dir() {
            std::fs::remove_dir_all(path)?;
        } else {
            std::fs::remove_file(path)?;
        }
    }
    let lines: usize = generated
        .files
        .iter()
        .filter(|(path, _)| path.ends_with(".rs"))
        .map(|(_, t)| t.lines().count())
        .sum();
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

/// Replaces the lines between the markers `begin` and `end` of the facade's manifest.
fn splice(manifest: &str, begin: &str, end: &str, body: &str) -> Result<String> {
    let (Some(b), Some(e)) = (manifest.find(begin), manifest.find(end)) else {
        bail!(
            "generated/Cargo.toml lacks the `{}`/`{}` markers",
            begin.trim(),
            end.trim()
        );
    };
    let start = b + begin.len();
    if e < start {
        bail!(
            "generated/Cargo.toml: markers `{}` out of order",
            begin.trim()
        );
    }
    Ok(format!("{}{}{}", &manifest[..start], body, &manifest[e..]))
}

/// The facade's manifest as the root of a standalone workspace: the repository workspace's
/// `[workspace.package]` and `[workspace.dependencies]` (so every `x.workspace = true` of the
/// facade, the group crates and the runtime copy holds as it does here), its dev profile, and
/// as members the runtime copy and the group crates (`has_groups`: the spec has any).
fn standalone_manifest(manifest: &str, workspace: &str, has_groups: bool) -> Result<String> {
    let mut crate_toml: toml::Table = manifest.parse().context("parsing generated/Cargo.toml")?;
    let root: toml::Table = workspace.parse().context("parsing Cargo.toml")?;
    let ws = root
        .get("workspace")
        .and_then(|w| w.as_table())
        .context("Cargo.toml has no [workspace]")?;
    let mut standalone = toml::Table::new();
    standalone.insert("resolver".into(), "2".into());
    let mut members = vec![toml::Value::from(STANDALONE_RUNTIME)];
    if has_groups {
        // A glob that matches nothing is an error to cargo.
        members.push("groups/*".into());
    }
    standalone.insert("members".into(), toml::Value::Array(members));
    for key in ["package", "dependencies"] {
        if let Some(value) = ws.get(key) {
            standalone.insert(key.into(), value.clone());
        }
    }
    crate_toml.insert("workspace".into(), toml::Value::Table(standalone));
    // The dev profile, without the overrides of packages the standalone workspace lacks (the
    // generator's), which cargo would warn about.
    if let Some(mut dev) = root
        .get("profile")
        .and_then(|p| p.get("dev"))
        .and_then(|d| d.as_table())
        .cloned()
    {
        if let Some(packages) = dev.get_mut("package").and_then(|p| p.as_table_mut()) {
            packages.retain(|name, _| name == "*" || name.starts_with("cloudflare-v4"));
        }
        let mut profile = toml::Table::new();
        profile.insert("dev".into(), toml::Value::Table(dev));
        crate_toml.insert("profile".into(), toml::Value::Table(profile));
    }
    // Examples live beside the committed crate only.
    crate_toml.remove("example");
    Ok(toml::to_string(&crate_toml)?)
}

/// What the output directory holds that this run no longer generates: `src/*.rs` files that
/// are not in `files`, and group crates (`groups/<dir>/`) that are not.
fn no_longer_generated(target: &Path, files: &BTreeMap<String, String>) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in entries(&target.join("src"))? {
        let name = file_name(&path);
        if path.is_file() && name.ends_with(".rs") && !files.contains_key(&format!("src/{name}")) {
            out.push(path);
        }
    }
    for path in entries(&target.join("groups"))? {
        let name = file_name(&path);
        if path.is_dir() && !files.contains_key(&format!("groups/{name}/src/lib.rs")) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// The entries of `dir`; none if it does not exist.
fn entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    read.map(|entry| Ok(entry?.path())).collect()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_sources_and_group_crates_no_longer_generated() {
        let dir = std::env::temp_dir().join(format!("regen-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for path in [
            "src/lib.rs",
            "src/old_module.rs",
            "src/notes.txt",
            "groups/kept/src/lib.rs",
            "groups/removed/src/lib.rs",
        ] {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let files: BTreeMap<String, String> = ["src/lib.rs", "groups/kept/src/lib.rs"]
            .into_iter()
            .map(|p| (p.to_owned(), String::new()))
            .collect();
        let stale = no_longer_generated(&dir, &files).unwrap();
        assert_eq!(
            stale,
            [dir.join("groups/removed"), dir.join("src/old_module.rs")]
        );
        // An output directory that does not exist yet holds nothing stale.
        assert!(no_longer_generated(&dir.join("missing"), &files)
            .unwrap()
            .is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn splices_between_markers_and_refuses_without_them() {
        let manifest = format!("[a]\n{DEPENDENCIES_BEGIN}old = 1\n{DEPENDENCIES_END}[b]\n");
        assert_eq!(
            splice(&manifest, DEPENDENCIES_BEGIN, DEPENDENCIES_END, "new = 2\n").unwrap(),
            format!("[a]\n{DEPENDENCIES_BEGIN}new = 2\n{DEPENDENCIES_END}[b]\n")
        );
        let err = splice("[a]\n", FEATURES_BEGIN, FEATURES_END, "").unwrap_err();
        assert!(
            err.to_string().contains("BEGIN GENERATED FEATURES"),
            "{err}"
        );
    }
}
