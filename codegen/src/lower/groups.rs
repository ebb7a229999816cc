//! Which API group (module and cargo feature) an operation or a component schema is in.

use super::Lowerer;
use crate::spec::OperationAt;
use heck::ToKebabCase;
use std::collections::{BTreeMap, BTreeSet};

/// How operations and types are split into groups (modules and features).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GroupMode {
    /// Schema names are `<group>_<name>` and each operation refers to one group's schemas
    /// (the Cloudflare spec since 2024): group = schema namespace.
    SchemaPrefix,
    /// Anything else (older specs): operations are grouped by first tag, component types live
    /// in the shared `common` group.
    Tags,
}
/// Schema prefixes that always make groups (see [`Lowerer::choose_group_mode`]).
const MAX_PREFIXES: usize = 200;
/// In a larger spec, the operations (that refer to schemas) per prefix below which prefixes
/// are taken for words of schema names rather than groups.
const OPERATIONS_PER_PREFIX: usize = 5;

impl<'a> Lowerer<'a> {
    /// Chooses the [`GroupMode`]: schema prefixes when at least 95% of the operations that
    /// refer to schemas refer to one prefix only, and the prefixes are not so many that most
    /// would be tiny groups: at most 200, or one per 5 such operations in a larger spec (the
    /// pinned spec has 72 for 1268; a spec 3 times its size, 216 for 3804).
    pub(super) fn choose_group_mode(&mut self) {
        let mut with_refs = 0usize;
        let mut single = 0usize;
        let mut prefixes = BTreeSet::new();
        for at in self.spec.operations().0 {
            let groups: BTreeSet<String> = self
                .spec
                .schema_refs(&at)
                .iter()
                .map(|n| split_component_name(n).0)
                .collect();
            if !groups.is_empty() {
                with_refs += 1;
                single += usize::from(groups.len() == 1);
                prefixes.extend(groups);
            }
        }
        self.mode = if prefixes_are_groups(with_refs, single, prefixes.len()) {
            GroupMode::SchemaPrefix
        } else {
            GroupMode::Tags
        };
    }

    /// Group and name hint of a component schema, by [`GroupMode`].
    pub(super) fn component_group(&self, name: &str) -> (String, String) {
        match self.mode {
            GroupMode::SchemaPrefix => split_component_name(name),
            GroupMode::Tags => ("common".to_owned(), name.to_owned()),
        }
    }

    /// The group (module) of an operation. By schema prefix: the group of the component
    /// schemas it refers to (the most referred-to one, ties by name); for operations that refer
    /// to none, the first path segment after the account/zone prefix (`/radar/…` → `radar`,
    /// `/accounts/{id}/ai/…` → `ai`). By tags: the first tag, else that path segment.
    pub(super) fn group_of(&self, at: &OperationAt<'_>) -> String {
        let (op, path) = (at.op, at.path);
        if self.mode == GroupMode::Tags {
            return match op.tags.first() {
                Some(tag) if !tag.to_kebab_case().is_empty() => group_name(&tag.to_kebab_case()),
                _ => path_group(path),
            };
        }
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        for name in &self.spec.schema_refs(at) {
            *votes.entry(split_component_name(name).0).or_default() += 1;
        }
        if let Some((group, _)) = votes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
            return group.clone();
        }
        path_group(path)
    }
}

/// Whether schema prefixes are groups, given how many operations refer to schemas
/// (`with_refs`), how many of those refer to one prefix only (`single`), and how many prefixes
/// they refer to: see [`Lowerer::choose_group_mode`].
fn prefixes_are_groups(with_refs: usize, single: usize, prefixes: usize) -> bool {
    let coherent = with_refs == 0 || single * 100 >= with_refs * 95;
    coherent && prefixes <= MAX_PREFIXES.max(with_refs / OPERATIONS_PER_PREFIX)
}

/// `dns-records_dns-record` → (`dns-records`, `dns-record`). A name without `_` is its own
/// group's only word.
pub fn split_component_name(name: &str) -> (String, String) {
    match name.split_once('_') {
        Some((group, rest)) if !group.is_empty() && !rest.is_empty() => {
            (group_name(group), rest.to_owned())
        }
        _ => ("common".to_owned(), name.to_owned()),
    }
}

/// A group name that can also be a cargo feature and a directory: lower-case ASCII letters,
/// digits and single dashes (`Zero Trust.Gateway` → `zero-trust-gateway`; nothing left →
/// `misc`). `default` and `full` are taken by the crate's own features, so such groups become
/// `default-api`/`full-api`.
fn group_name(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_end_matches('-');
    match name {
        "" => "misc".to_owned(),
        "default" | "full" => format!("{name}-api"),
        _ => name.to_owned(),
    }
}

/// Group for an operation that refers to no component schema.
fn path_group(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut i = 0;
    if matches!(
        segments.first(),
        Some(&("accounts" | "zones" | "organizations" | "memberships" | "user"))
    ) && segments.get(1).is_some_and(|s| s.starts_with('{'))
    {
        i = 2;
    }
    let segment = segments
        .get(i)
        .or(segments.first())
        .copied()
        .unwrap_or("misc");
    let group = group_name(segment);
    if group.starts_with(|c: char| c.is_ascii_digit()) {
        "misc".to_owned()
    } else {
        group
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_valid_features_and_directories() {
        assert_eq!(group_name("dns-records"), "dns-records");
        assert_eq!(group_name("Zero Trust.Gateway"), "zero-trust-gateway");
        assert_eq!(group_name("--a//b__c--"), "a-b-c");
        assert_eq!(group_name("Déjà vu"), "d-j-vu");
        assert_eq!(group_name("---"), "misc");
        assert_eq!(group_name("Full"), "full-api");
        assert_eq!(group_name("default"), "default-api");
    }

    #[test]
    fn prefixes_are_groups_when_operations_keep_to_one_and_groups_are_not_tiny() {
        // The pinned spec, and a stand-in 3 times its size.
        assert!(prefixes_are_groups(1268, 1268, 72));
        assert!(prefixes_are_groups(3804, 3804, 216));
        // The 2023 spec: most operations refer to several prefixes.
        assert!(!prefixes_are_groups(1089, 130, 331));
        assert!(prefixes_are_groups(100, 95, 3));
        assert!(!prefixes_are_groups(100, 94, 3));
        // Many prefixes: groups only where they average 5 operations or more.
        assert!(prefixes_are_groups(300, 300, 200));
        assert!(!prefixes_are_groups(300, 300, 201));
        assert!(prefixes_are_groups(2000, 2000, 400));
        assert!(!prefixes_are_groups(2000, 2000, 401));
        assert!(prefixes_are_groups(0, 0, 0));
    }

    #[test]
    fn schema_prefixes_become_group_names() {
        assert_eq!(
            split_component_name("Magic Transit_tunnel"),
            ("magic-transit".to_owned(), "tunnel".to_owned())
        );
        assert_eq!(
            split_component_name("plain"),
            ("common".to_owned(), "plain".to_owned())
        );
    }

    #[test]
    fn operations_without_schemas_are_grouped_by_path() {
        assert_eq!(path_group("/accounts/{account_id}/ai/run"), "ai");
        assert_eq!(path_group("/zones/{zone_id}/DNS_Records"), "dns-records");
        assert_eq!(path_group("/radar/http"), "radar");
        assert_eq!(path_group("/4xx/{id}"), "misc");
        assert_eq!(path_group("/"), "misc");
    }
}
