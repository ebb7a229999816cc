//! The crates' version, moved in lockstep: the runtime, the facade and every group crate share
//! `[workspace.package] version`, and depend on each other with exactly that version.

use anyhow::{bail, Context, Result};
use std::fmt;
use std::path::Path;

/// A `MAJOR.MINOR.PATCH` version (no pre-release or build part: releases only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

/// How a release moves the version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    /// Some change breaks code written against the old crate: the minor version while at
    /// 0.x (Cargo's rule: `0.y` versions are incompatible with each other), else the major.
    Breaking,
    /// Only compatible changes: the patch version.
    Compatible,
    /// The API did not change: the version stays.
    None,
}

impl Version {
    /// Reads `MAJOR.MINOR.PATCH`.
    pub fn parse(text: &str) -> Result<Version> {
        let parts: Vec<&str> = text.trim().split('.').collect();
        let number = |s: &str| -> Result<u64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                bail!("version {text:?} is not MAJOR.MINOR.PATCH");
            }
            s.parse().with_context(|| format!("version {text:?}"))
        };
        match parts[..] {
            [major, minor, patch] => Ok(Version {
                major: number(major)?,
                minor: number(minor)?,
                patch: number(patch)?,
            }),
            _ => bail!("version {text:?} is not MAJOR.MINOR.PATCH"),
        }
    }

    /// The version after a release with this bump.
    pub fn bumped(self, bump: Bump) -> Version {
        match bump {
            Bump::None => self,
            Bump::Compatible => Version {
                patch: self.patch + 1,
                ..self
            },
            Bump::Breaking if self.major == 0 => Version {
                minor: self.minor + 1,
                patch: 0,
                ..self
            },
            Bump::Breaking => Version {
                major: self.major + 1,
                minor: 0,
                patch: 0,
            },
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::Breaking => "breaking",
            Bump::Compatible => "compatible",
            Bump::None => "none",
        })
    }
}

/// Sets `[workspace.package] version` and the exact requirement on the runtime
/// (`[workspace.dependencies] cloudflare-v4-runtime`) in the root `Cargo.toml`, keeping its
/// layout and comments. The generated manifests follow at the next `regen`.
pub fn set_workspace_version(root: &Path, version: &Version) -> Result<()> {
    let path = root.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut manifest: toml_edit::DocumentMut = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    let workspace = manifest
        .get_mut("workspace")
        .and_then(|w| w.as_table_like_mut())
        .context("Cargo.toml has no [workspace]")?;
    let package = workspace
        .get_mut("package")
        .and_then(|p| p.as_table_like_mut())
        .context("Cargo.toml has no [workspace.package]")?;
    set(package, "version", version.to_string());
    let runtime = workspace
        .get_mut("dependencies")
        .and_then(|d| d.as_table_like_mut())
        .and_then(|d| d.get_mut("cloudflare-v4-runtime"))
        .and_then(|r| r.as_table_like_mut())
        .context("Cargo.toml has no [workspace.dependencies] cloudflare-v4-runtime table")?;
    set(runtime, "version", format!("={version}"));
    crate::pin::write_atomically(&path, manifest.to_string().as_bytes())
}

/// Sets `key` to `value`, keeping the key's comments and place.
fn set(table: &mut dyn toml_edit::TableLike, key: &str, value: String) {
    match table.get_mut(key) {
        Some(item) => *item = toml_edit::value(value),
        None => {
            table.insert(key, toml_edit::value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_move_as_cargo_reads_compatibility() {
        let v = |s| Version::parse(s).unwrap();
        assert_eq!(v("0.1.0").bumped(Bump::Breaking), v("0.2.0"));
        assert_eq!(v("0.1.3").bumped(Bump::Breaking), v("0.2.0"));
        assert_eq!(v("0.1.3").bumped(Bump::Compatible), v("0.1.4"));
        assert_eq!(v("0.1.3").bumped(Bump::None), v("0.1.3"));
        assert_eq!(v("1.4.2").bumped(Bump::Breaking), v("2.0.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Compatible), v("1.4.3"));
        for bad in ["1.2", "1.2.3-rc.1", "a.b.c", "", "1..2"] {
            assert!(Version::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_workspace_version_moves_with_its_layout_kept() {
        let dir = std::env::temp_dir().join(format!("xtask-version-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = "[workspace]\nmembers = []\n\n[workspace.package]\n# shared\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace.dependencies]\n# the runtime\ncloudflare-v4-runtime = { path = \"runtime\", version = \"=0.1.0\" }\nserde = \"1\"\n";
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        set_workspace_version(&dir, &Version::parse("0.2.0").unwrap()).unwrap();
        let after = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert_eq!(
            after,
            manifest
                .replace("version = \"0.1.0\"", "version = \"0.2.0\"")
                .replace("version = \"=0.1.0\"", "version = \"=0.2.0\"")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
