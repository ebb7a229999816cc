//! The manifest of a group crate.

use super::*;

/// `Cargo.toml` of a group's crate. Everything but its name, its features and its sibling
/// dependencies is inherited from the workspace, which both the repository and a standalone
/// `regen --out` provide.
pub(super) fn group_manifest(names: &Names, package: &str, needs: &BTreeSet<String>) -> String {
    let description = crate_description(&names.crate_groups[package]);
    let mut siblings = String::new();
    let mut forwards = Vec::new();
    let deps: BTreeSet<&str> = needs.iter().map(|g| names.crates[g].as_str()).collect();
    for dep in deps {
        siblings.push_str(&format!(
            // From `groups/<this>/` up to the facade, then down to the sibling.
            "{dep} = {{ path = \"../../{}\" }}\n",
            crate_dir(dep)
        ));
        forwards.push(format!("\"{dep}/{CONFORMANCE_FEATURE}\""));
    }
    format!(
        "{header}\
[package]
name = \"{package}\"
description = \"{description}\"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

# Tested through the facade crate and the workspace's tests; it has no tests of its own.
[lib]
test = false
doctest = false

[features]
# For this repository's conformance tests only: request types also implement `Deserialize`.
{CONFORMANCE_FEATURE} = [{forwards}]

[dependencies]
cloudflare-v4-runtime.workspace = true
serde.workspace = true
serde_json.workspace = true
bytes.workspace = true
{siblings}",
        header = crate::format::MANIFEST_HEADER,
        forwards = forwards.join(", "),
    )
}

/// A group crate's manifest description.
pub(super) fn crate_description(groups: &[String]) -> String {
    match groups {
        [group] => format!(
            "The `{group}` API group of the Cloudflare v4 client; use it through the \
             `cloudflare-v4` crate's feature `{group}`"
        ),
        _ => {
            let listed: Vec<String> = groups.iter().map(|g| format!("`{g}`")).collect();
            format!(
                "The API groups {} of the Cloudflare v4 client, which need each other; use \
                 them through the `cloudflare-v4` crate's features of the same names",
                listed.join(", ")
            )
        }
    }
}
