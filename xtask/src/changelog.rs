//! The changelog section and the pull-request summary of a release, from the API diff, with
//! every Rust item written as users name it (`cloudflare_v4::zones::Zone`,
//! `client.zones().list_zones()`).

use anyhow::{Context, Result};
use cloudflare_codegen::diff::surface::ItemKind;
use cloudflare_codegen::diff::{Diff, Impact, OperationEntry};
use std::path::Path;

use crate::version::{Bump, Version};

/// The heading of a new `CHANGELOG.md`.
const HEADER: &str = "# Changelog\n\n\
Every release of `cloudflare-v4`, its runtime and its group crates (one version for all), as \
`cargo xtask update` wrote it from the API diff of the upstream spec update. Versions follow \
Cargo's semver rules: while at 0.x, a breaking change moves the minor version.\n";

/// One release.
pub struct Release<'a> {
    /// Its version.
    pub version: &'a Version,
    /// How the version moved.
    pub bump: Bump,
    /// The upstream commit.
    pub commit: &'a str,
    /// When it was committed (ISO 8601).
    pub committed_at: &'a str,
    /// The upstream repository (`owner/name`).
    pub repository: &'a str,
    /// What changed.
    pub diff: &'a Diff,
}

impl Release<'_> {
    fn short_commit(&self) -> &str {
        self.commit.get(..7).unwrap_or(self.commit)
    }

    fn date(&self) -> &str {
        self.committed_at.get(..10).unwrap_or(self.committed_at)
    }
}

/// A Rust path of the diff (`zones::ZonesApi::list_zones`, `zones::Zone`) as users write it.
pub fn as_users_name_it(path: &str, kind: ItemKind) -> String {
    let parts: Vec<&str> = path.split("::").collect();
    match (kind, parts.as_slice()) {
        // A method of a group's API struct is called through the client.
        (ItemKind::Function, [module, api, method]) if api.ends_with("Api") => {
            format!("client.{module}().{method}()")
        }
        _ => format!("cloudflare_v4::{path}"),
    }
}

fn operation_line(entry: &OperationEntry) -> String {
    format!(
        "- `{} {}`: `{}` (`{}`)\n",
        entry.method,
        entry.path,
        as_users_name_it(&entry.rust, ItemKind::Function),
        entry.operation_id
    )
}

/// Every breaking change, one line per item: what users name and what happened to it.
fn breaking_lines(diff: &Diff) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in &diff.operations.changed {
        for change in entry
            .changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
        {
            lines.push(format!(
                "- `{} {}`: {} {}\n",
                entry.method, entry.path, change.location, change.detail
            ));
        }
    }
    for entry in &diff.items.removed {
        let name = as_users_name_it(&entry.path, entry.kind);
        lines.push(match &entry.renamed {
            Some(new) => format!(
                "- `{name}` renamed to `{}`\n",
                as_users_name_it(new, entry.kind)
            ),
            None => format!("- `{name}` removed ({})\n", entry.kind.label()),
        });
    }
    for entry in &diff.items.changed {
        let breaking: Vec<String> = entry
            .changes
            .iter()
            .filter(|c| c.impact == Impact::Breaking)
            .map(|c| format!("{}: {}", c.location, c.detail))
            .collect();
        if !breaking.is_empty() {
            lines.push(format!(
                "- `{}`: {}\n",
                as_users_name_it(&entry.path, entry.kind),
                breaking.join("; ")
            ));
        }
    }
    for entry in diff.features.removed.iter() {
        lines.push(format!("- cargo feature `{}` removed\n", entry.name));
    }
    lines
}

/// Counts of the compatible changes.
fn compatible_counts(diff: &Diff) -> String {
    let changed_compatibly = diff
        .items
        .changed
        .iter()
        .flat_map(|c| &c.changes)
        .filter(|c| c.impact == Impact::Compatible)
        .count();
    format!(
        "{} operations added, {} Rust items added, {} compatible changes to existing items \
         (fields and variants added, deprecations, documentation), {} cargo features added",
        diff.operations.added.len(),
        diff.items.added.len(),
        changed_compatibly,
        diff.features.added.len()
    )
}

/// The `CHANGELOG.md` section of a release.
pub fn section(release: &Release<'_>) -> String {
    let diff = release.diff;
    let mut out = format!(
        "## {} — {} (upstream {})\n\n\
         Generated from [`{}`](https://github.com/{}/commit/{}) of `{}`, committed {}. Effect on \
         code written against the previous version: {} breaking, {} compatible.\n",
        release.version,
        release.date(),
        release.short_commit(),
        release.short_commit(),
        release.repository,
        release.commit,
        release.repository,
        release.committed_at,
        diff.summary.breaking,
        diff.summary.compatible,
    );
    for (title, entries) in [
        ("Operations added", &diff.operations.added),
        ("Operations removed", &diff.operations.removed),
    ] {
        if !entries.is_empty() {
            out.push_str(&format!("\n### {title} ({})\n\n", entries.len()));
            for entry in entries {
                out.push_str(&operation_line(entry));
            }
        }
    }
    let breaking = breaking_lines(diff);
    if !breaking.is_empty() {
        out.push_str(&format!("\n### Breaking changes ({})\n\n", breaking.len()));
        for line in &breaking {
            out.push_str(line);
        }
    }
    out.push_str(&format!(
        "\n### Compatible changes\n\n{}.\n",
        compatible_counts(diff)
    ));
    out
}

/// The short summary of a release, for the pull request's body.
pub fn summary(release: &Release<'_>, previous: &Version) -> String {
    let diff = release.diff;
    let mut out = format!(
        "Update the spec to {repository}@{short} ({date}).\n\n",
        repository = release.repository,
        short = release.short_commit(),
        date = release.date(),
    );
    out.push_str(&match release.bump {
        Bump::None => format!("Version: stays {previous} (the API did not change).\n"),
        bump => format!(
            "Version: {previous} → {} ({bump} changes).\n",
            release.version
        ),
    });
    out.push_str(&format!(
        "\n- operations: {} added, {} removed, {} renamed\n\
         - Rust items: {} added, {} removed, {} changed\n\
         - effect on users' code: {} breaking, {} compatible\n",
        diff.summary.operations_added,
        diff.summary.operations_removed,
        diff.summary.operations_changed,
        diff.summary.items_added,
        diff.summary.items_removed,
        diff.summary.items_changed,
        diff.summary.breaking,
        diff.summary.compatible,
    ));
    const SHOWN: usize = 15;
    let removed = &diff.operations.removed;
    if !removed.is_empty() {
        out.push_str("\nOperations removed:\n");
        for entry in removed.iter().take(SHOWN) {
            out.push_str(&operation_line(entry));
        }
        if removed.len() > SHOWN {
            out.push_str(&format!("- … and {} more\n", removed.len() - SHOWN));
        }
    }
    let breaking = breaking_lines(diff);
    if !breaking.is_empty() {
        out.push_str("\nBreaking changes:\n");
        for line in breaking.iter().take(SHOWN) {
            out.push_str(line);
        }
        if breaking.len() > SHOWN {
            out.push_str(&format!(
                "- … and {} more (all in CHANGELOG.md)\n",
                breaking.len() - SHOWN
            ));
        }
    }
    out.push_str(
        "\nReview: `cargo xtask diff` has every change with its spec location; \
         `spec/COVERAGE.md` lists the spec corrections applied and any that went stale.\n",
    );
    out
}

/// Puts `section` at the top of the changelog at `path` (created with its header if missing).
/// A section for the same version already there is replaced, so a repeated run writes it once.
pub fn prepend(path: &Path, section: &str) -> Result<()> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HEADER.to_owned(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let version_of = |block: &str| block.split(' ').nth(1).map(str::to_owned);
    let version = version_of(section);
    // The text before the first release, then each release's section.
    let mut blocks = existing.split("\n## ");
    let head = blocks.next().unwrap_or_default();
    let mut text = format!("{}\n\n{}\n", head.trim_end(), section.trim_end());
    for block in blocks {
        let block = format!("## {}", block.trim_end());
        if version_of(&block) != version {
            text.push_str(&format!("\n{block}\n"));
        }
    }
    crate::pin::write_atomically(path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_named_as_called_and_types_by_path() {
        assert_eq!(
            as_users_name_it("radar::RadarApi::get_top_browsers", ItemKind::Function),
            "client.radar().get_top_browsers()"
        );
        assert_eq!(
            as_users_name_it("zones::Zone", ItemKind::Struct),
            "cloudflare_v4::zones::Zone"
        );
    }

    #[test]
    fn a_section_goes_on_top_and_replaces_one_of_the_same_version() {
        let path = std::env::temp_dir().join(format!("xtask-changelog-{}.md", std::process::id()));
        let _ = std::fs::remove_file(&path);
        prepend(&path, "## 0.2.0 — 2024-08-06 (upstream abc)\n\nfirst\n").unwrap();
        prepend(&path, "## 0.3.0 — 2024-09-01 (upstream def)\n\nsecond\n").unwrap();
        prepend(
            &path,
            "## 0.3.0 — 2024-09-01 (upstream def)\n\nsecond, again\n",
        )
        .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Changelog\n"), "{text}");
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            headings,
            [
                "## 0.3.0 — 2024-09-01 (upstream def)",
                "## 0.2.0 — 2024-08-06 (upstream abc)"
            ]
        );
        assert!(text.contains("second, again") && !text.contains("second\n"));
        std::fs::remove_file(&path).unwrap();
    }
}
