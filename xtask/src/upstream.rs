//! Where Cloudflare publishes its spec (`cloudflare/api-schemas`), and how to find and fetch the
//! newest version of the spec file there: through GitHub's API for a GitHub repository, with
//! `git` for a local repository or any other remote.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Cloudflare's repository of the published spec.
pub const DEFAULT_UPSTREAM: &str = "https://github.com/cloudflare/api-schemas";

/// A repository holding the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// A git repository on this machine (a work tree or a bare repository).
    Local(PathBuf),
    /// A repository on GitHub (`owner/name`).
    GitHub(String),
    /// Any other git remote, cloned without blobs into a temporary directory to read its log.
    Remote(String),
}

/// A commit of the upstream repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    /// Its full hash.
    pub sha: String,
    /// When it was committed (ISO 8601).
    pub date: String,
}

impl Upstream {
    /// Reads `--upstream`: an existing directory is a local repository; a GitHub URL
    /// (`https://github.com/owner/name`, `.git` or not) uses GitHub's API; any other URL is
    /// cloned with git.
    pub fn parse(text: &str) -> Result<Upstream> {
        let path = Path::new(text);
        if path.is_dir() {
            return Ok(Upstream::Local(path.to_path_buf()));
        }
        let trimmed = text.trim_end_matches('/').trim_end_matches(".git");
        if let Some(rest) = trimmed
            .strip_prefix("https://github.com/")
            .or_else(|| trimmed.strip_prefix("http://github.com/"))
        {
            let parts: Vec<&str> = rest.split('/').collect();
            if let [owner, name] = parts[..] {
                if !owner.is_empty() && !name.is_empty() {
                    return Ok(Upstream::GitHub(format!("{owner}/{name}")));
                }
            }
            bail!("{text} is not a GitHub repository URL (https://github.com/OWNER/NAME)");
        }
        if text.contains("://") || text.starts_with("git@") {
            return Ok(Upstream::Remote(text.to_owned()));
        }
        bail!("--upstream {text}: neither a directory nor a repository URL")
    }

    /// The `owner/name` a pin records, for a GitHub upstream.
    pub fn github_repository(&self) -> Option<&str> {
        match self {
            Upstream::GitHub(repository) => Some(repository),
            _ => None,
        }
    }

    /// The newest commit that changed `file`.
    pub fn latest(&self, file: &str) -> Result<Commit> {
        match self {
            Upstream::Local(dir) => latest_in(dir, file),
            Upstream::GitHub(repository) => {
                let url = format!(
                    "https://api.github.com/repos/{repository}/commits?path={file}&per_page=1"
                );
                let body = curl(&url, true)
                    .with_context(|| format!("asking GitHub for the newest commit of {file}"))?;
                let commits: serde_json::Value = serde_json::from_slice(&body)
                    .with_context(|| format!("GitHub's answer from {url} is not JSON"))?;
                let newest = commits.get(0).with_context(|| {
                    format!("no commit of {repository} changes {file} (GitHub answered {commits})")
                })?;
                let field = |pointer: &str| {
                    newest
                        .pointer(pointer)
                        .and_then(|v| v.as_str())
                        .map(str::to_owned)
                        .with_context(|| format!("GitHub's commit has no {pointer}"))
                };
                Ok(Commit {
                    sha: field("/sha")?,
                    date: field("/commit/committer/date")?,
                })
            }
            Upstream::Remote(url) => {
                let clone = BloblessClone::of(url)?;
                latest_in(&clone.0, file)
            }
        }
    }

    /// The bytes of `file` at `commit`.
    pub fn fetch(&self, commit: &str, file: &str) -> Result<Vec<u8>> {
        match self {
            Upstream::Local(dir) => show(dir, commit, file),
            Upstream::GitHub(repository) => {
                let url = format!("https://raw.githubusercontent.com/{repository}/{commit}/{file}");
                curl(&url, false).with_context(|| format!("downloading {file} at {commit}"))
            }
            Upstream::Remote(url) => {
                let clone = BloblessClone::of(url)?;
                show(&clone.0, commit, file)
            }
        }
    }
}

impl std::fmt::Display for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Upstream::Local(dir) => write!(f, "{}", dir.display()),
            Upstream::GitHub(repository) => write!(f, "https://github.com/{repository}"),
            Upstream::Remote(url) => f.write_str(url),
        }
    }
}

fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir);
    command
}

fn latest_in(dir: &Path, file: &str) -> Result<Commit> {
    let out = git(dir)
        .args(["log", "-1", "--format=%H%x09%cI", "--", file])
        .output()
        .context("running git (install git)")?;
    if !out.status.success() {
        bail!(
            "{} is not a git repository: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let Some((sha, date)) = text.trim().split_once('\t') else {
        bail!("no commit of {} changes {file}", dir.display());
    };
    Ok(Commit {
        sha: sha.to_owned(),
        date: date.to_owned(),
    })
}

fn show(dir: &Path, commit: &str, file: &str) -> Result<Vec<u8>> {
    let out = git(dir)
        .arg("show")
        .arg(format!("{commit}:{file}"))
        .output()
        .context("running git (install git)")?;
    if !out.status.success() {
        bail!(
            "{} has no {file} at {commit}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// Runs `curl` (present on CI and developer machines; keeps xtask free of a TLS stack). A
/// GitHub API call sends `GITHUB_TOKEN` when it is set (higher rate limits).
pub fn curl(url: &str, github_api: bool) -> Result<Vec<u8>> {
    let mut command = Command::new("curl");
    command.args([
        "--fail",
        "--silent",
        "--show-error",
        "--location",
        "--max-time",
        "120",
    ]);
    if github_api {
        command.args(["-H", "Accept: application/vnd.github+json"]);
        if let Ok(token) = std::env::var("GITHUB_TOKEN") {
            command.args(["-H", &format!("Authorization: Bearer {token}")]);
        }
    }
    let out = command
        .arg(url)
        .output()
        .context("running curl (install curl, or use `fetch-spec --from PATH`)")?;
    if !out.status.success() {
        bail!(
            "{url}: {} (offline? use a local copy: `--from PATH` or `--upstream DIR`)",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// A blobless clone of a remote, removed when dropped.
struct BloblessClone(PathBuf);

impl BloblessClone {
    fn of(url: &str) -> Result<BloblessClone> {
        let dir = std::env::temp_dir().join(format!("xtask-upstream-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let status = Command::new("git")
            .args(["clone", "--quiet", "--bare", "--filter=blob:none", url])
            .env("GIT_TERMINAL_PROMPT", "0")
            .arg(&dir)
            .status()
            .context("running git (install git)")?;
        if !status.success() {
            bail!("cloning {url} failed");
        }
        Ok(BloblessClone(dir))
    }
}

impl Drop for BloblessClone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_are_read_from_directories_and_urls() {
        assert_eq!(
            Upstream::parse(DEFAULT_UPSTREAM).unwrap(),
            Upstream::GitHub("cloudflare/api-schemas".into())
        );
        assert_eq!(
            Upstream::parse("https://github.com/cloudflare/api-schemas.git/").unwrap(),
            Upstream::GitHub("cloudflare/api-schemas".into())
        );
        assert_eq!(
            Upstream::parse("https://git.example/specs.git").unwrap(),
            Upstream::Remote("https://git.example/specs.git".into())
        );
        let dir = std::env::temp_dir();
        assert_eq!(
            Upstream::parse(dir.to_str().unwrap()).unwrap(),
            Upstream::Local(dir.clone())
        );
        assert!(Upstream::parse("https://github.com/only-owner").is_err());
        assert!(Upstream::parse("no-such-dir-or-url").is_err());
    }
}
