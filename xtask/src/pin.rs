//! The spec pin (`spec/pin.json`) and `fetch-spec`.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

use crate::upstream::{curl, Commit, Upstream};

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
    /// When the commit was made (ISO 8601), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_at: Option<String>,
}

impl Pin {
    pub fn load(root: &Path) -> Result<Pin> {
        let path = root.join("spec/pin.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }

    /// Writes `spec/pin.json` whole or not at all (a temporary file renamed over it).
    pub fn save(&self, root: &Path) -> Result<()> {
        write_atomically(
            &root.join("spec/pin.json"),
            (serde_json::to_string_pretty(self)? + "\n").as_bytes(),
        )
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

/// Writes `path` whole or not at all: a temporary file beside it, renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.partial", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| {
        let _ = std::fs::remove_file(&temporary);
        format!("replacing {}", path.display())
    })
}

/// Checks that `bytes` are a spec the generator reads: a clear error (with the location) for a
/// malformed one, before anything is written.
pub fn check_spec(bytes: &[u8], what: &str) -> Result<()> {
    cloudflare_codegen::load::load_tolerant(bytes)
        .map(drop)
        .with_context(|| format!("{what} is not a spec the generator can read"))
}

/// Where `fetch-spec` takes the spec from.
pub enum Source<'a> {
    /// The pinned commit, downloaded and checked against the pin's sha256.
    Pinned,
    /// A local copy of the pinned file (`--from`), checked against the pin's sha256.
    File(&'a Path),
    /// This commit of the pin's repository (`--commit`): the pin moves to it.
    Commit(&'a str),
    /// The newest upstream commit that changed the file (`--latest`): the pin moves to it.
    Latest(&'a Upstream),
}

/// `fetch-spec`: puts the spec at `spec/<file>` and, for `--commit` and `--latest`, moves the
/// pin. The pin is written last, only once the file is complete, its sha256 computed and the
/// spec read; every failure (network, a missing file, a malformed spec) leaves it unchanged.
pub fn fetch(root: &Path, source: Source<'_>) -> Result<Pin> {
    let pin = Pin::load(root)?;
    let (bytes, moved_to) = match source {
        Source::Pinned => (curl(&pin.url(&pin.commit), false)?, None),
        Source::File(path) => (
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            None,
        ),
        Source::Commit(commit) => (
            curl(&pin.url(commit), false)?,
            Some((commit.to_owned(), None, None)),
        ),
        Source::Latest(upstream) => {
            let latest = upstream
                .latest(&pin.file)
                .with_context(|| format!("finding the newest {} of {upstream}", pin.file))?;
            let bytes = upstream.fetch(&latest.sha, &pin.file)?;
            let repository = upstream.github_repository().map(str::to_owned);
            (bytes, Some((latest.sha, Some(latest.date), repository)))
        }
    };
    install(root, pin, &bytes, moved_to)
}

/// Moves the pin to `commit` (whose file is `bytes`, already fetched) and puts the file at
/// `spec/<file>`; as [`fetch`] does for `--latest`.
pub fn move_to(
    root: &Path,
    bytes: &[u8],
    commit: &Commit,
    repository: Option<&str>,
) -> Result<Pin> {
    let pin = Pin::load(root)?;
    let moved_to = (
        commit.sha.clone(),
        Some(commit.date.clone()),
        repository.map(str::to_owned),
    );
    install(root, pin, bytes, Some(moved_to))
}

/// The new commit, its date and repository, when the pin moves.
type Move = (String, Option<String>, Option<String>);

fn install(root: &Path, mut pin: Pin, bytes: &[u8], moved_to: Option<Move>) -> Result<Pin> {
    let digest = sha256_hex(bytes);
    match moved_to {
        Some((commit, committed_at, repository)) => {
            check_spec(bytes, &format!("{} at {commit}", pin.file))?;
            if commit != pin.commit {
                println!(
                    "moving the pin: {} → {commit} (sha256 {digest})",
                    pin.commit
                );
            }
            pin.commit = commit;
            pin.sha256 = digest;
            pin.committed_at = committed_at;
            if let Some(repository) = repository {
                pin.repository = repository;
            }
        }
        None if digest != pin.sha256 => bail!(
            "sha256 mismatch: the file has {digest}, but spec/pin.json pins {} (commit {}). \
             Use the file of the pinned commit, or move the pin with `cargo xtask fetch-spec \
             --commit SHA` or `--latest`.",
            pin.sha256,
            pin.commit
        ),
        None => {}
    }
    let dest = pin.local_path(root);
    write_atomically(&dest, bytes)?;
    pin.save(root)?;
    println!(
        "spec {} ({} bytes, sha256 {}) → {}",
        pin.commit,
        bytes.len(),
        pin.sha256,
        dest.display()
    );
    Ok(pin)
}
