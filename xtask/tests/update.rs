//! The release flow end to end, on this machine: a local upstream repository with one commit per
//! shared spec version (2023-08-04, 2024-07-31, 2024-08-06), and a copy of this workspace
//! pinned to 2024-07-31 with its crates generated from it. `update` must pick 2024-08-06, move
//! the version to the next minor (the diff has breaking changes), write a changelog naming the
//! operations removed, leave `regen --check` clean, and change nothing when run again. CI then
//! compiles the updated copy (`target/update-e2e/workspace`, `.ci/run`).
//!
//! Also `fetch-spec --latest`'s failures: each names what failed and leaves the pin as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::pin::{self, Pin, Source};
use xtask::regen::{self, Overlay};
use xtask::update::{self, Outcome};
use xtask::upstream::{Commit, Upstream};
use xtask::version::{Bump, Version};

fn root() -> PathBuf {
    xtask::pin::workspace_root()
}

fn shared(version: &str, file: &str) -> Vec<u8> {
    let path = root()
        .join("../shared/cloudflare-openapi")
        .join(version)
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn git(dir: &Path, args: &[&str], date: &str) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=upstream",
            "-c",
            "user.email=upstream@example.invalid",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// A git repository at `dir` with one commit per `(date, file, bytes)`.
fn upstream_repository(dir: &Path, commits: &[(&str, &str, Vec<u8>)]) -> Upstream {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    git(
        dir,
        &["init", "--quiet", "--initial-branch=main"],
        "2020-01-01T00:00:00Z",
    );
    for (date, file, bytes) in commits {
        std::fs::write(dir.join(file), bytes).unwrap();
        git(dir, &["add", file], date);
        git(
            dir,
            &["commit", "--quiet", "-m", &format!("spec of {date}")],
            date,
        );
    }
    Upstream::Local(dir.to_path_buf())
}

/// A copy of the workspace (without `target/` and `.git/`), as a fresh checkout has it.
fn copy_workspace(to: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name();
            if name == "target" || name == ".git" {
                continue;
            }
            let (from, to) = (entry.path(), to.join(&name));
            if entry.file_type().unwrap().is_dir() {
                copy(&from, &to);
            } else {
                std::fs::copy(&from, &to).unwrap();
            }
        }
    }
    let _ = std::fs::remove_dir_all(to);
    copy(&root(), to);
}

/// Every file of the tree and its contents.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

#[test]
fn update_takes_the_newest_upstream_spec_to_a_release_and_is_repeatable() {
    let base = root().join("target/update-e2e");
    let workspace = base.join("workspace");
    let upstream = upstream_repository(
        &base.join("upstream"),
        &[
            (
                "2023-08-04T14:50:08Z",
                "openapi.yaml",
                shared("2023-08-04", "openapi.yaml"),
            ),
            (
                "2024-07-31T22:33:02Z",
                "openapi.json",
                shared("2024-07-31", "openapi.json"),
            ),
            (
                "2024-08-06T22:28:30Z",
                "openapi.json",
                shared("2024-08-06", "openapi.json"),
            ),
        ],
    );
    // The copy: pinned to 2024-07-31, its crates generated from it.
    copy_workspace(&workspace);
    let Upstream::Local(upstream_dir) = &upstream else {
        unreachable!()
    };
    let log = Command::new("git")
        .arg("-C")
        .arg(upstream_dir)
        .args(["log", "--format=%H %cI", "--", "openapi.json"])
        .output()
        .unwrap();
    let log = String::from_utf8(log.stdout).unwrap();
    let commits: Vec<(&str, &str)> = log.lines().filter_map(|l| l.split_once(' ')).collect();
    let (newest, previous) = (commits[0], commits[1]);
    pin::move_to(
        &workspace,
        &shared("2024-07-31", "openapi.json"),
        &Commit {
            sha: previous.0.to_owned(),
            date: previous.1.to_owned(),
        },
        None,
    )
    .unwrap();
    regen::run(
        &workspace,
        &regen::Options {
            spec: None,
            out: None,
            check: false,
            overlay: Overlay::Project,
        },
    )
    .unwrap();
    let before = Version::parse(&regen::workspace_version(&workspace).unwrap()).unwrap();

    let options = update::Options {
        upstream: upstream.clone(),
        dry_run: false,
        summary_file: Some(base.join("summary.md")),
    };
    let outcome = update::run(&workspace, &options).unwrap();
    let Outcome::Updated {
        commit, to, bump, ..
    } = outcome
    else {
        panic!("no update: {outcome:?}")
    };
    assert_eq!(
        commit, newest.0,
        "picks the newest commit that changed openapi.json"
    );
    assert_eq!(bump, Bump::Breaking);
    assert_eq!(to, before.bumped(Bump::Breaking));
    assert_eq!(
        (to.major, to.minor, to.patch),
        (before.major, before.minor + 1, 0)
    );
    let pin = Pin::load(&workspace).unwrap();
    assert_eq!(pin.commit, newest.0);
    assert_eq!(
        pin.sha256,
        pin::sha256_hex(&shared("2024-08-06", "openapi.json"))
    );
    assert_eq!(
        regen::workspace_version(&workspace).unwrap(),
        to.to_string()
    );
    let manifest = std::fs::read_to_string(workspace.join("generated/Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("version = \"={to}\"")),
        "path dependencies carry the exact version"
    );

    let changelog = std::fs::read_to_string(workspace.join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.contains(&format!("## {to} — 2024-08-06")),
        "{changelog}"
    );
    assert!(changelog.contains("### Operations removed"));
    assert!(
        changelog.contains("- `GET /radar/http/top/browsers`: `client.radar()."),
        "the removed operation is named"
    );
    assert!(changelog.contains("### Breaking changes"));
    assert!(changelog.contains("### Compatible changes"));
    let summary = std::fs::read_to_string(base.join("summary.md")).unwrap();
    assert!(
        summary.contains(&format!("Version: {before} → {to} (breaking changes)")),
        "{summary}"
    );

    // `regen --check` is clean.
    let generated = regen::generate(&workspace, None, Overlay::Project).unwrap();
    let (files, extra) = regen::expected_files(&workspace, &generated, None).unwrap();
    assert_eq!(
        regen::stale(&workspace, &files, &extra),
        Vec::<String>::new()
    );

    // A second update changes nothing.
    let tree = snapshot(&workspace);
    let again = update::run(&workspace, &options).unwrap();
    assert!(matches!(again, Outcome::UpToDate { .. }), "{again:?}");
    assert!(
        tree == snapshot(&workspace),
        "the second update changed files"
    );

    // A dry run against an older upstream writes nothing either.
    let dry = update::Options {
        upstream,
        dry_run: true,
        summary_file: None,
    };
    update::run(&workspace, &dry).unwrap();
    assert!(tree == snapshot(&workspace), "a dry run changed files");
}

/// A workspace of just `spec/pin.json`, pinned to 2024-07-31.
fn pinned_dir(name: &str) -> (PathBuf, String) {
    let dir = root().join("target/update-e2e").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("spec")).unwrap();
    let pin = r#"{
  "repository": "cloudflare/api-schemas",
  "commit": "06bdcc66009ae3eb0fd9ebd9eb1ed1e14a61cabd",
  "file": "openapi.json",
  "sha256": "1b5e4da3e2ef3f2052847e3ba5cfc8b8e58b070c0c58fc391f79c4c0416d73d3"
}
"#;
    std::fs::write(dir.join("spec/pin.json"), pin).unwrap();
    (dir, pin.to_owned())
}

#[test]
fn fetch_latest_failures_name_what_failed_and_leave_the_pin() {
    let unchanged = |dir: &Path, pin: &str| {
        assert_eq!(
            std::fs::read_to_string(dir.join("spec/pin.json")).unwrap(),
            pin
        );
        assert!(!dir.join("spec/openapi.json").exists());
    };

    // The network: a remote that cannot be reached.
    let (dir, pin) = pinned_dir("fetch-network");
    let remote = Upstream::parse("https://127.0.0.1:9/api-schemas.git").unwrap();
    let error = format!(
        "{:#}",
        pin::fetch(&dir, Source::Latest(&remote)).unwrap_err()
    );
    assert!(error.contains("127.0.0.1:9"), "{error}");
    unchanged(&dir, &pin);

    // A repository without the file.
    let (dir, pin) = pinned_dir("fetch-missing");
    let only_yaml = upstream_repository(
        &dir.join("upstream"),
        &[(
            "2023-08-04T14:50:08Z",
            "openapi.yaml",
            shared("2023-08-04", "openapi.yaml"),
        )],
    );
    let error = format!(
        "{:#}",
        pin::fetch(&dir, Source::Latest(&only_yaml)).unwrap_err()
    );
    assert!(
        error.contains("no commit") && error.contains("openapi.json"),
        "{error}"
    );
    unchanged(&dir, &pin);

    // A malformed spec.
    let (dir, pin) = pinned_dir("fetch-malformed");
    let broken = upstream_repository(
        &dir.join("upstream"),
        &[(
            "2024-09-01T00:00:00Z",
            "openapi.json",
            br#"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": 7}}}"#.to_vec(),
        )],
    );
    let error = format!(
        "{:#}",
        pin::fetch(&dir, Source::Latest(&broken)).unwrap_err()
    );
    assert!(
        error.contains("not a spec the generator can read") && error.contains("paths"),
        "{error}"
    );
    unchanged(&dir, &pin);

    // And the newest commit is taken when all is well.
    let (dir, _) = pinned_dir("fetch-ok");
    let good = upstream_repository(
        &dir.join("upstream"),
        &[
            (
                "2024-07-31T22:33:02Z",
                "openapi.json",
                shared("2024-07-31", "openapi.json"),
            ),
            (
                "2024-08-06T22:28:30Z",
                "openapi.json",
                shared("2024-08-06", "openapi.json"),
            ),
        ],
    );
    let pin = pin::fetch(&dir, Source::Latest(&good)).unwrap();
    assert_eq!(
        pin.sha256,
        pin::sha256_hex(&shared("2024-08-06", "openapi.json"))
    );
    assert_eq!(
        pin.committed_at.as_deref().map(|d| &d[..10]),
        Some("2024-08-06")
    );
    assert_eq!(
        std::fs::read(dir.join("spec/openapi.json")).unwrap(),
        shared("2024-08-06", "openapi.json")
    );
}
