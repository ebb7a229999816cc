//! The spec pin (`spec/pin.json`) and `fetch-spec`.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Which upstream file the crate is generated from.
#[derive(Debug, Serialize, Deserialize)]
pub struct Pin {
    /// GitHub `owner/name`.
    pub repository: String,
    /// Upstream commit.
    pub commit: String,
    /// File name in the repository (`openapi.json`).
    pub file: String,
    /// sha256 of that file, lowercase hex.
    pub sha256: String,
}

impl Pin {
    pub fn load(root: &Path) -> Result<Pin> {
        let path = root.join("spec/pin.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    fn save(&self, root: &Path) -> Result<()> {
        let path = root.join("spec/pin.json");
        std::fs::write(&path, serde_json::to_string_pretty(self)? + "\n")
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Where `fetch-spec` puts the file and `regen` reads it (git-ignored).
    pub fn local_path(&self, root: &Path) -> PathBuf {
        root.join("spec").join(&self.file)
    }

    fn url(&self, commit: &str) -> String {
        format!(
            "https://raw.githubusercontent.com/{}/{commit}/{}",
            self.repository, self.file
        )
    }
}

/// The bytes of the pinned spec: the copy `fetch-spec` placed (`spec/<file>`), else a copy
/// beside the project in `../shared/cloudflare-openapi/*/`, whichever has the pin's sha256.
/// Tests read the spec this way, so they follow the pin rather than a version they name.
pub fn pinned_spec(root: &Path) -> Result<Vec<u8>> {
    let pin = Pin::load(root)?;
    let mut candidates = vec![pin.local_path(root)];
    if let Ok(dirs) = std::fs::read_dir(root.join("../shared/cloudflare-openapi")) {
        let mut found: Vec<PathBuf> = dirs
            .filter_map(|d| d.ok().map(|d| d.path().join(&pin.file)))
            .collect();
        found.sort();
        candidates.extend(found);
    }
    for path in &candidates {
        if let Ok(bytes) = std::fs::read(path) {
            if sha256_hex(&bytes) == pin.sha256 {
                return Ok(bytes);
            }
        }
    }
    bail!(
        "no copy of the pinned spec (commit {}, sha256 {}) at {} or in ../shared/cloudflare-openapi: \
         run `cargo xtask fetch-spec`",
        pin.commit,
        pin.sha256,
        pin.local_path(root).display()
    )
}

/// The workspace root, for code run from a crate of the workspace.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// sha256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn fetch(root: &Path, from: Option<&Path>, commit: Option<&str>) -> Result<()> {
    let mut pin = Pin::load(root)?;
    let bytes = match from {
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
        None => download(&pin.url(commit.unwrap_or(&pin.commit)))?,
    };
    let digest = sha256_hex(&bytes);
    match commit {
        Some(new_commit) => {
            println!("moving the pin: {} → {new_commit} (sha256 {digest})", pin.commit);
            pin.commit = new_commit.to_owned();
            pin.sha256 = digest;
            pin.save(root)?;
        }
        None if digest != pin.sha256 => bail!(
            "sha256 mismatch: {} has {digest}, but spec/pin.json pins {} (commit {}). \
             Use the file of the pinned commit, or move the pin with `cargo xtask fetch-spec --commit SHA`.",
            from.map_or_else(|| pin.url(&pin.commit), |p| p.display().to_string()),
            pin.sha256,
            pin.commit
        ),
        None => {}
    }
    let dest = pin.local_path(root);
    std::fs::write(&dest, &bytes).with_context(|| format!("writing {}", dest.display()))?;
    println!(
        "spec {} ({} bytes, sha256 {}) → {}",
        pin.commit,
        bytes.len(),
        pin.sha256,
        dest.display()
    );
    Ok(())
}

/// Downloads with `curl` (present on CI and developer machines; keeps xtask free of a TLS stack).
fn download(url: &str) -> Result<Vec<u8>> {
    println!("downloading {url}");
    let out = Command::new("curl")
        .args([
            "--fail",
            "--silent",
            "--show-error",
            "--location",
            "--max-time",
            "120",
            url,
        ])
        .output()
        .context("running curl (install curl, or use `cargo xtask fetch-spec --from PATH`)")?;
    if !out.status.success() {
        bail!(
            "download of {url} failed: {} (offline? use `cargo xtask fetch-spec --from PATH` with a local copy)",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}
