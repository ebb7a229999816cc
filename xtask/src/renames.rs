//! `renames`: the rename map, as data: for each method and type whose Rust path a generator
//! change moved, the old path and the new, matched by what it stands for (an operation's
//! `METHOD /path`, a schema's location), never by name. `spec/renames.json` keeps it; the
//! changelog lists it, and the generated crates carry a `#[deprecated]` alias per renamed type.

use anyhow::{Context, Result};
use cloudflare_codegen::diff::surface::{self, ItemKind, Surface};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Where the rename map is kept.
pub const RENAMES: &str = "spec/renames.json";

/// One renamed item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rename {
    /// `method` or `type`.
    pub kind: String,
    /// The old path, as users wrote it (`cloudflare_v4::zones::Status2`,
    /// `cloudflare_v4::zones::ZonesApi::zones_0_get`).
    pub old: String,
    /// The new path.
    pub new: String,
    /// What it stands for: `GET /zones/{zone_id}`, or a schema location.
    pub origin: String,
}

/// What each method and type of a crate stands for, read from its rustdoc: the `METHOD /path`
/// line of a method, the schema location of a type (with `merged`, also the locations of the
/// identical schemas it stands for, so that a type merged or adopted since is found).
fn origins(surface: &Surface, merged: bool) -> BTreeMap<String, (String, ItemKind)> {
    let mut own: BTreeMap<String, (String, ItemKind)> = BTreeMap::new();
    let mut also: BTreeMap<String, (String, ItemKind)> = BTreeMap::new();
    for (path, item) in &surface.items {
        let origin = match item.kind {
            ItemKind::Function if path.matches("::").count() == 2 => item
                .docs
                .lines()
                .map(str::trim)
                .find(|l| {
                    l.len() > 2
                        && l.starts_with('`')
                        && l.ends_with('`')
                        && ["GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD "]
                            .iter()
                            .any(|m| l[1..].starts_with(m))
                })
                .map(|l| l.trim_matches('`').to_owned()),
            ItemKind::Struct | ItemKind::Enum | ItemKind::TypeAlias => {
                if merged {
                    for line in item.docs.lines().filter(|l| l.contains("Also stands for")) {
                        for pointer in line.split('`').skip(1).step_by(2) {
                            also.entry(pointer.to_owned())
                                .or_insert((path.clone(), item.kind));
                        }
                    }
                }
                item.docs.lines().find_map(schema_location)
            }
            _ => None,
        };
        // The first item that claims a location keeps it: `_with` methods share their
        // operation's, and sort after it.
        if let Some(origin) = origin {
            own.entry(origin).or_insert((path.clone(), item.kind));
        }
    }
    // A params struct or form stands for its operation's parameters or parts:
    // "Query and header parameters of [`ZonesApi::list_zones`](…)".
    let methods: BTreeMap<String, String> = own
        .iter()
        .filter(|(_, (_, kind))| *kind == ItemKind::Function)
        .map(|(origin, (path, _))| (path.clone(), origin.clone()))
        .collect();
    for (path, item) in &surface.items {
        if item.kind != ItemKind::Struct {
            continue;
        }
        let first = item.docs.lines().next().unwrap_or_default().trim();
        let role = if first.starts_with("Query and header parameters of ") {
            "parameters"
        } else if first.starts_with("The parts of the `multipart/form-data` body of ") {
            "form"
        } else {
            continue;
        };
        let module = path.split("::").next().unwrap_or_default();
        let Some(method) = first.split('`').nth(if role == "form" { 3 } else { 1 }) else {
            continue;
        };
        if let Some(operation) = methods.get(&format!("{module}::{method}")) {
            own.entry(format!("{role} of {operation}"))
                .or_insert((path.clone(), item.kind));
        }
    }
    also.extend(own);
    also
}

/// The schema location a type's rustdoc names first (`` `#/components/schemas/…` `` or
/// `` `paths.…` ``), not one it merely also stands for.
fn schema_location(line: &str) -> Option<String> {
    if line.contains("Also stands for") {
        return None;
    }
    let start = line
        .find("`#/components/")
        .or_else(|| line.find("`paths."))?;
    let rest = &line[start + 1..];
    let end = rest.find('`')?;
    Some(rest[..end].to_owned())
}

/// The renames between the crate in `old_files` and the one in `new_files` (both as
/// `regen` lays them out).
pub fn between(
    old_files: &BTreeMap<String, String>,
    old_features: &str,
    new_files: &BTreeMap<String, String>,
    new_features: &str,
) -> Result<Vec<Rename>> {
    let old = origins(&surface::of_files(old_files, old_features)?, false);
    let new = origins(&surface::of_files(new_files, new_features)?, true);
    let mut renames: Vec<Rename> = new
        .iter()
        .filter_map(|(origin, (path, kind))| {
            let (old_path, _) = old.get(origin)?;
            (old_path != path).then(|| Rename {
                kind: match kind {
                    ItemKind::Function => "method",
                    _ => "type",
                }
                .to_owned(),
                old: format!("cloudflare_v4::{old_path}"),
                new: format!("cloudflare_v4::{path}"),
                origin: origin.clone(),
            })
        })
        .collect();
    renames.sort();
    Ok(renames)
}

/// The committed crate's sources and feature lines, as `regen` wrote them.
pub fn committed(root: &Path) -> Result<(BTreeMap<String, String>, String)> {
    let generated = root.join("generated");
    let mut files = BTreeMap::new();
    files.insert(
        "src/lib.rs".to_owned(),
        std::fs::read_to_string(generated.join("src/lib.rs"))
            .context("reading generated/src/lib.rs")?,
    );
    for entry in std::fs::read_dir(generated.join("groups")).context("reading generated/groups")? {
        let dir = entry?.path();
        let lib = dir.join("src/lib.rs");
        if let Ok(text) = std::fs::read_to_string(&lib) {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.insert(format!("groups/{name}/src/lib.rs"), text);
        }
    }
    let manifest = std::fs::read_to_string(generated.join("Cargo.toml"))?;
    let features = manifest
        .split(crate::regen::FEATURES_BEGIN)
        .nth(1)
        .and_then(|rest| rest.split(crate::regen::FEATURES_END).next())
        .unwrap_or_default()
        .to_owned();
    Ok((files, features))
}

/// Reads `spec/renames.json` (empty if there is none).
pub fn load(root: &Path) -> Result<Vec<Rename>> {
    match std::fs::read_to_string(root.join(RENAMES)) {
        Ok(text) => serde_json::from_str(&text).with_context(|| format!("parsing {RENAMES}")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e).with_context(|| format!("reading {RENAMES}")),
    }
}

/// The changelog lines of a rename map.
pub fn changelog_lines(renames: &[Rename]) -> String {
    let mut out = String::new();
    for rename in renames {
        out.push_str(&format!(
            "- `{}` → `{}` ({})\n",
            rename.old, rename.new, rename.origin
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_is_matched_by_the_schema_it_stands_for() {
        assert_eq!(
            schema_location("Schema: `#/components/schemas/zones_zone`"),
            Some("#/components/schemas/zones_zone".to_owned())
        );
        assert_eq!(
            schema_location("`paths./zones.get/parameters/status`"),
            Some("paths./zones.get/parameters/status".to_owned())
        );
        assert_eq!(
            schema_location("Also stands for the identical inline schema at `paths./x.get/y`."),
            None
        );
    }
}
