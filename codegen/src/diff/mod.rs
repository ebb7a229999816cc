//! API diff: what a spec update does to the generated Rust API.
//!
//! Pure, like the rest of the generator: [`diff`] takes the bytes of two specs (JSON or YAML),
//! runs the whole generator on each ([`crate::generate`]: the one reading of the spec, with its
//! `$ref` resolution, effective parameters, success response and `allOf` merging), and compares
//! the two generated crates as a Rust user sees them: the public items that their generated
//! source declares ([`surface`]). No rule of OpenAPI is implemented here, so the diff cannot
//! disagree with the generator.
//!
//! What is compared:
//! - **Operations** are matched by method + path: added, removed, and those whose
//!   `operationId` or Rust method name changed. What a changed operation does to its method is
//!   reported under the method's item.
//! - **Rust items** (structs, enums, type aliases, functions and methods, statics) are matched
//!   by path (`dns_records::DnsRecord`, `dns_records::DnsRecordsApi::list_dns_records`). An item
//!   whose spec location is the same in both versions but whose Rust path differs is reported
//!   as removed and added, each naming the other.
//! - **Features**: each API group's cargo feature.
//!
//! Impact, exactly as Rust compiles it ([`Impact`]):
//! - *breaking*: a removed item, member or feature; a changed signature, field type or variant;
//!   a field added to a struct users can build with a literal (all fields public, not
//!   `#[non_exhaustive]`); a variant added to an enum that is not `#[non_exhaustive]` (an
//!   exhaustive `match` stops compiling); `#[non_exhaustive]` added; a trait implementation
//!   removed;
//! - *compatible*: added items, features and trait implementations; a field added to a
//!   `#[non_exhaustive]` struct or a variant added to a `#[non_exhaustive]` enum;
//!   `#[non_exhaustive]` removed; deprecation and documentation.

pub mod surface;

use crate::ir::Origin;
use crate::load::LoadError;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use surface::{Item, ItemKind, Surface, SurfaceError};

/// Which of the two specs something refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// The first (older) spec.
    Old,
    /// The second (newer) spec.
    New,
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Which::Old => "old",
            Which::New => "new",
        })
    }
}

/// Why one side could not be compared.
#[derive(Debug, thiserror::Error)]
pub enum DiffFailure {
    /// The spec could not be read (parse error with JSON path and line, or an unsupported
    /// OpenAPI version).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The generator failed on it (a bug in the generator).
    #[error("the generator failed: {0}")]
    Generate(String),
    /// The generated code could not be read back (a bug in the generator).
    #[error(transparent)]
    Surface(#[from] SurfaceError),
}

/// A spec that could not be compared, and which of the two it was.
#[derive(Debug, thiserror::Error)]
#[error("{which} spec: {error}")]
pub struct DiffError {
    /// The spec that failed.
    pub which: Which,
    /// Why.
    pub error: DiffFailure,
}

/// Effect of a change on code written against the old crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Code using the old crate may no longer compile.
    Breaking,
    /// Code using the old crate keeps compiling.
    Compatible,
}

/// What kind of change a [`Change`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// The `operationId` differs at the same method and path.
    OperationIdChanged,
    /// The Rust method has another path although the operation is the same.
    RustNameChanged,
    /// The item is another kind of item (a struct became an enum…).
    KindChanged,
    /// A function's signature, an alias's target or a static's type changed.
    SignatureChanged,
    /// A field or variant was added.
    MemberAdded,
    /// A field or variant was removed.
    MemberRemoved,
    /// A field's type or a variant's fields changed.
    MemberChanged,
    /// `#[non_exhaustive]` was added.
    NonExhaustiveAdded,
    /// `#[non_exhaustive]` was removed.
    NonExhaustiveRemoved,
    /// A trait implementation (derive or `impl`) was added.
    TraitAdded,
    /// A trait implementation was removed.
    TraitRemoved,
    /// Deprecated now.
    Deprecated,
    /// No longer deprecated.
    Undeprecated,
    /// Its rustdoc changed.
    DocsChanged,
    /// A feature enables other features than before.
    FeatureChanged,
}

/// One change to an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Effect on code written against the old crate.
    pub impact: Impact,
    /// Kind of change.
    pub kind: ChangeKind,
    /// Where: `field `ttl``, `variant `Archived``, `signature`, `trait `serde::Serialize``.
    pub location: String,
    /// What changed, in words.
    pub detail: String,
}

/// An operation that exists in only one of the specs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationEntry {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `operationId`.
    pub operation_id: String,
    /// The Rust method (`module::GroupApi::method`).
    pub rust: String,
    /// Breaking when a method goes away; adding one is compatible.
    pub impact: Impact,
    /// Set when the other spec has the same `operationId` at another method or path.
    pub moved: Option<String>,
}

/// An operation present in both specs whose identity changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationChange {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// `operationId` in the new spec.
    pub operation_id: String,
    /// The Rust method in the new crate.
    pub rust: String,
    /// `operationId` and Rust name changes.
    pub changes: Vec<Change>,
}

/// A Rust item that exists in only one of the crates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemEntry {
    /// Path (`dns_records::DnsRecord`).
    pub path: String,
    /// Kind.
    pub kind: ItemKind,
    /// Where it comes from in the spec (a component schema, an inline schema's location, an
    /// operation), when it stands for one.
    pub origin: Option<String>,
    /// Breaking when removed; compatible when added.
    pub impact: Impact,
    /// The item's path in the other crate when only its name changed (same spec location).
    pub renamed: Option<String>,
}

/// A Rust item present in both crates that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemChange {
    /// Path.
    pub path: String,
    /// Kind (in the new crate).
    pub kind: ItemKind,
    /// Where it comes from in the spec.
    pub origin: Option<String>,
    /// What changed.
    pub changes: Vec<Change>,
}

/// A cargo feature that exists in only one of the crates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureEntry {
    /// The feature.
    pub name: String,
    /// Breaking when removed; compatible when added.
    pub impact: Impact,
}

/// Added, removed and changed things of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section<E, C> {
    /// In the new version only, sorted.
    pub added: Vec<E>,
    /// In the old version only, sorted.
    pub removed: Vec<E>,
    /// In both, differing, sorted.
    pub changed: Vec<C>,
}

impl<E, C> Default for Section<E, C> {
    fn default() -> Self {
        Section {
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        }
    }
}

/// Title and version of a spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecInfo {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
}

/// Counts over the whole diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Operations added.
    pub operations_added: usize,
    /// Operations removed.
    pub operations_removed: usize,
    /// Operations whose `operationId` or Rust method name changed.
    pub operations_changed: usize,
    /// Rust items added.
    pub items_added: usize,
    /// Rust items removed.
    pub items_removed: usize,
    /// Rust items changed.
    pub items_changed: usize,
    /// Breaking entries and changes (an added or removed item counts as one change).
    pub breaking: usize,
    /// Compatible entries and changes.
    pub compatible: usize,
}

/// Everything that differs between the crates of two specs. Deterministic: every list is
/// sorted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The old spec.
    pub old: SpecInfo,
    /// The new spec.
    pub new: SpecInfo,
    /// Counts.
    pub summary: Summary,
    /// Operations, by path then method.
    pub operations: Section<OperationEntry, OperationChange>,
    /// Rust items, by path.
    pub items: Section<ItemEntry, ItemChange>,
    /// Cargo features, by name.
    pub features: Section<FeatureEntry, ItemChange>,
}

/// One side: the generated crate's surface and where its items come from.
struct Side {
    info: SpecInfo,
    surface: Surface,
    /// Rust path → spec location, for items that stand for a schema or an operation.
    origins: BTreeMap<String, String>,
    /// (METHOD, path) → (operationId, Rust method path).
    operations: BTreeMap<(String, String), (String, String)>,
}

impl Side {
    fn load(bytes: &[u8], which: Which, options: &crate::Options<'_>) -> Result<Side, DiffError> {
        let fail = |error: DiffFailure| DiffError { which, error };
        let generated = crate::generate_with(bytes, options).map_err(|e| {
            fail(match e {
                crate::Error::Load(e) => DiffFailure::Load(e),
                other => DiffFailure::Generate(other.to_string()),
            })
        })?;
        let surface =
            surface::of_files(&generated.files, &generated.features).map_err(|e| fail(e.into()))?;
        let (api, names) = (&generated.api, &generated.names);
        let mut origins = BTreeMap::new();
        for (id, ty) in api.types_with_ids() {
            let path = format!("{}::{}", names.modules[&ty.group], names.types[id]);
            let origin = match &ty.origin {
                Origin::Component(name) => format!("#/components/schemas/{name}"),
                Origin::Inline(pointer) => pointer.clone(),
            };
            origins.insert(path, origin);
        }
        let mut operations = BTreeMap::new();
        for (i, op) in api.operations.iter().enumerate() {
            let module = &names.modules[&op.group];
            let path = format!(
                "{module}::{}::{}",
                names.api_structs[&op.group], names.methods[i]
            );
            origins.insert(path.clone(), format!("{} {}", op.method.as_str(), op.path));
            if let Some(params) = &names.params_structs[i] {
                origins.insert(
                    format!("{module}::{params}"),
                    format!("parameters of {} {}", op.method.as_str(), op.path),
                );
            }
            operations.insert(
                (op.method.as_str().to_owned(), op.path.clone()),
                (op.id.clone(), path),
            );
        }
        Ok(Side {
            info: SpecInfo {
                title: api.title.clone(),
                version: api.version.clone(),
            },
            surface,
            origins,
            operations,
        })
    }
}

/// Compares the crates generated from two specs (JSON or YAML bytes).
pub fn diff(old: &[u8], new: &[u8]) -> Result<Diff, DiffError> {
    diff_with(old, new, &crate::Options::default())
}

/// [`diff`], both specs generated with these options (the project's overlay, say), as the
/// crates users get are.
pub fn diff_with(old: &[u8], new: &[u8], options: &crate::Options<'_>) -> Result<Diff, DiffError> {
    let old = Side::load(old, Which::Old, options)?;
    let new = Side::load(new, Which::New, options)?;
    let operations = operations(&old, &new);
    let items = items(&old, &new);
    let features = features(&old.surface, &new.surface);
    let mut d = Diff {
        old: old.info,
        new: new.info,
        summary: Summary {
            operations_added: operations.added.len(),
            operations_removed: operations.removed.len(),
            operations_changed: operations.changed.len(),
            items_added: items.added.len(),
            items_removed: items.removed.len(),
            items_changed: items.changed.len(),
            ..Summary::default()
        },
        operations,
        items,
        features,
    };
    let breaking = d.impacts().filter(|i| *i == Impact::Breaking).count();
    d.summary.breaking = breaking;
    d.summary.compatible = d.impacts().count() - breaking;
    Ok(d)
}

fn operations(old: &Side, new: &Side) -> Section<OperationEntry, OperationChange> {
    let mut section = Section::default();
    let moved_to = |side: &Side, id: &str, here: &(String, String)| {
        side.operations
            .iter()
            .find(|(key, (other, _))| other == id && *key != here)
            .map(|((m, p), _)| format!("at `{m} {p}`"))
    };
    let entry =
        |key: &(String, String), (id, rust): &(String, String), impact, moved| OperationEntry {
            method: key.0.clone(),
            path: key.1.clone(),
            operation_id: id.clone(),
            rust: rust.clone(),
            impact,
            moved,
        };
    for (key, value) in &new.operations {
        match old.operations.get(key) {
            None => section.added.push(entry(
                key,
                value,
                Impact::Compatible,
                moved_to(old, &value.0, key),
            )),
            Some((old_id, old_rust)) => {
                let mut changes = Vec::new();
                if *old_id != value.0 {
                    changes.push(Change {
                        impact: Impact::Compatible,
                        kind: ChangeKind::OperationIdChanged,
                        location: "operationId".into(),
                        detail: format!("`{old_id}` → `{}`", value.0),
                    });
                }
                if *old_rust != value.1 {
                    changes.push(Change {
                        impact: Impact::Breaking,
                        kind: ChangeKind::RustNameChanged,
                        location: "Rust method".into(),
                        detail: format!("`{old_rust}` → `{}`", value.1),
                    });
                }
                if !changes.is_empty() {
                    section.changed.push(OperationChange {
                        method: key.0.clone(),
                        path: key.1.clone(),
                        operation_id: value.0.clone(),
                        rust: value.1.clone(),
                        changes,
                    });
                }
            }
        }
    }
    for (key, value) in &old.operations {
        if !new.operations.contains_key(key) {
            section.removed.push(entry(
                key,
                value,
                Impact::Breaking,
                moved_to(new, &value.0, key),
            ));
        }
    }
    let order = |m: &str, p: &str| (p.to_owned(), m.to_owned());
    section.added.sort_by_key(|e| order(&e.method, &e.path));
    section.removed.sort_by_key(|e| order(&e.method, &e.path));
    section.changed.sort_by_key(|e| order(&e.method, &e.path));
    section
}

fn items(old: &Side, new: &Side) -> Section<ItemEntry, ItemChange> {
    let mut section = Section::default();
    // Spec location → path, to name renames.
    let by_origin = |side: &Side| -> BTreeMap<String, String> {
        side.origins
            .iter()
            .map(|(path, origin)| (origin.clone(), path.clone()))
            .collect()
    };
    let (old_by_origin, new_by_origin) = (by_origin(old), by_origin(new));
    let renamed = |side: &Side, path: &str, other: &BTreeMap<String, String>, other_side: &Side| {
        let origin = side.origins.get(path)?;
        let there = other.get(origin)?;
        (there != path && other_side.surface.items.contains_key(there)).then(|| there.clone())
    };
    for (path, item) in &new.surface.items {
        match old.surface.items.get(path) {
            None => section.added.push(ItemEntry {
                path: path.clone(),
                kind: item.kind,
                origin: new.origins.get(path).cloned(),
                impact: Impact::Compatible,
                renamed: renamed(new, path, &old_by_origin, old),
            }),
            Some(before) => {
                let changes = compare(before, item);
                if !changes.is_empty() {
                    section.changed.push(ItemChange {
                        path: path.clone(),
                        kind: item.kind,
                        origin: new.origins.get(path).cloned(),
                        changes,
                    });
                }
            }
        }
    }
    for (path, item) in &old.surface.items {
        if !new.surface.items.contains_key(path) {
            section.removed.push(ItemEntry {
                path: path.clone(),
                kind: item.kind,
                origin: old.origins.get(path).cloned(),
                impact: Impact::Breaking,
                renamed: renamed(old, path, &new_by_origin, new),
            });
        }
    }
    section
}

/// The changes between two versions of one item, each classified as Rust compiles it.
pub fn compare(old: &Item, new: &Item) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |impact, kind, location: String, detail: String| {
        out.push(Change {
            impact,
            kind,
            location,
            detail,
        })
    };
    if old.kind != new.kind {
        push(
            Impact::Breaking,
            ChangeKind::KindChanged,
            "kind".into(),
            format!("{} → {}", old.kind.label(), new.kind.label()),
        );
        return out;
    }
    if old.signature != new.signature {
        push(
            Impact::Breaking,
            ChangeKind::SignatureChanged,
            "signature".into(),
            format!("`{}` → `{}`", old.signature, new.signature),
        );
    }
    let word = if old.kind == ItemKind::Enum {
        "variant"
    } else {
        "field"
    };
    for (name, member) in &new.members {
        let location = format!("{word} `{name}`");
        match old.members.get(name) {
            None => {
                let (impact, why) = match old.kind {
                    ItemKind::Enum if old.non_exhaustive => {
                        (Impact::Compatible, "the enum is `#[non_exhaustive]`")
                    }
                    ItemKind::Enum => (
                        Impact::Breaking,
                        "the enum is exhaustive: matches without a wildcard stop compiling",
                    ),
                    _ if old.constructible() => (
                        Impact::Breaking,
                        "the struct can be built with a literal, which now lacks a field",
                    ),
                    _ => (
                        Impact::Compatible,
                        "the struct cannot be built with a literal outside the crate",
                    ),
                };
                let ty = if member.ty.is_empty() {
                    String::new()
                } else {
                    format!(" `{}`", member.ty)
                };
                push(
                    impact,
                    ChangeKind::MemberAdded,
                    location,
                    format!("added{ty}; {why}"),
                );
            }
            Some(before) => {
                if before.ty != member.ty || (old.tuple && before.position != member.position) {
                    push(
                        Impact::Breaking,
                        ChangeKind::MemberChanged,
                        location.clone(),
                        format!("`{}` → `{}`", show(&before.ty), show(&member.ty)),
                    );
                }
                if !before.deprecated && member.deprecated {
                    push(
                        Impact::Compatible,
                        ChangeKind::Deprecated,
                        location.clone(),
                        "deprecated".into(),
                    );
                } else if before.deprecated && !member.deprecated {
                    push(
                        Impact::Compatible,
                        ChangeKind::Undeprecated,
                        location.clone(),
                        "no longer deprecated".into(),
                    );
                }
                if before.docs != member.docs {
                    push(
                        Impact::Compatible,
                        ChangeKind::DocsChanged,
                        location,
                        "documentation changed".into(),
                    );
                }
            }
        }
    }
    for (name, member) in &old.members {
        if !new.members.contains_key(name) {
            let ty = if member.ty.is_empty() {
                String::new()
            } else {
                format!(" `{}`", member.ty)
            };
            push(
                Impact::Breaking,
                ChangeKind::MemberRemoved,
                format!("{word} `{name}`"),
                format!("removed{ty}"),
            );
        }
    }
    // A struct that loses its last private field becomes constructible: compatible. One that
    // gains one can no longer be built with a literal.
    if old.kind == ItemKind::Struct && !old.private_fields && new.private_fields {
        push(
            Impact::Breaking,
            ChangeKind::MemberAdded,
            "private field".into(),
            "a private field was added: literals of the struct stop compiling".into(),
        );
    }
    if !old.non_exhaustive && new.non_exhaustive {
        push(
            Impact::Breaking,
            ChangeKind::NonExhaustiveAdded,
            "attribute".into(),
            "`#[non_exhaustive]` added: literals and exhaustive matches outside the crate stop compiling".into(),
        );
    } else if old.non_exhaustive && !new.non_exhaustive {
        push(
            Impact::Compatible,
            ChangeKind::NonExhaustiveRemoved,
            "attribute".into(),
            "`#[non_exhaustive]` removed".into(),
        );
    }
    for t in new.traits.difference(&old.traits) {
        push(
            Impact::Compatible,
            ChangeKind::TraitAdded,
            format!("trait `{t}`"),
            "implemented".into(),
        );
    }
    for t in old.traits.difference(&new.traits) {
        push(
            Impact::Breaking,
            ChangeKind::TraitRemoved,
            format!("trait `{t}`"),
            "no longer implemented".into(),
        );
    }
    if !old.deprecated && new.deprecated {
        push(
            Impact::Compatible,
            ChangeKind::Deprecated,
            "attribute".into(),
            "deprecated".into(),
        );
    } else if old.deprecated && !new.deprecated {
        push(
            Impact::Compatible,
            ChangeKind::Undeprecated,
            "attribute".into(),
            "no longer deprecated".into(),
        );
    }
    if old.docs != new.docs {
        push(
            Impact::Compatible,
            ChangeKind::DocsChanged,
            "docs".into(),
            "documentation changed".into(),
        );
    }
    out
}

fn show(ty: &str) -> &str {
    if ty.is_empty() {
        "(unit)"
    } else {
        ty
    }
}

fn features(old: &Surface, new: &Surface) -> Section<FeatureEntry, ItemChange> {
    let mut section = Section::default();
    for (name, deps) in &new.features {
        match old.features.get(name) {
            None => section.added.push(FeatureEntry {
                name: name.clone(),
                impact: Impact::Compatible,
            }),
            Some(before) if before != deps => {
                let list = |d: &BTreeSet<String>| d.iter().cloned().collect::<Vec<_>>().join(", ");
                section.changed.push(ItemChange {
                    path: name.clone(),
                    kind: ItemKind::Static,
                    origin: None,
                    changes: vec![Change {
                        impact: Impact::Compatible,
                        kind: ChangeKind::FeatureChanged,
                        location: "enables".into(),
                        detail: format!("[{}] → [{}]", list(before), list(deps)),
                    }],
                });
            }
            Some(_) => {}
        }
    }
    for name in old.features.keys() {
        if !new.features.contains_key(name) {
            section.removed.push(FeatureEntry {
                name: name.clone(),
                impact: Impact::Breaking,
            });
        }
    }
    section
}

impl Diff {
    /// The impact of every entry and change: one per added or removed operation, item or
    /// feature, one per change of a changed one.
    pub fn impacts(&self) -> impl Iterator<Item = Impact> + '_ {
        let ops = &self.operations;
        let op_entries = ops.added.iter().chain(&ops.removed).map(|e| e.impact);
        let op_changes = ops
            .changed
            .iter()
            .flat_map(|c| &c.changes)
            .map(|c| c.impact);
        let items = &self.items;
        let item_entries = items.added.iter().chain(&items.removed).map(|e| e.impact);
        let item_changes = items
            .changed
            .iter()
            .chain(&self.features.changed)
            .flat_map(|c| &c.changes)
            .map(|c| c.impact);
        let features = &self.features;
        let feature_entries = features
            .added
            .iter()
            .chain(&features.removed)
            .map(|e| e.impact);
        op_entries
            .chain(op_changes)
            .chain(item_entries)
            .chain(item_changes)
            .chain(feature_entries)
    }

    /// True when the two crates have the same operations, items and features.
    pub fn is_empty(&self) -> bool {
        self.impacts().next().is_none()
    }

    /// The diff as a Markdown report.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# API diff\n\n");
        if self.old != self.new {
            out.push_str(&format!(
                "{} {} → {} {}\n\n",
                self.old.title, self.old.version, self.new.title, self.new.version
            ));
        }
        if self.is_empty() {
            out.push_str("No changes.\n");
            return out;
        }
        let s = &self.summary;
        out.push_str("| | added | removed | changed |\n|---|--:|--:|--:|\n");
        out.push_str(&format!(
            "| operations | {} | {} | {} |\n| Rust items | {} | {} | {} |\n\n",
            s.operations_added,
            s.operations_removed,
            s.operations_changed,
            s.items_added,
            s.items_removed,
            s.items_changed,
        ));
        out.push_str(&format!(
            "Effect on code written against the old crate: {} breaking, {} compatible.\n",
            s.breaking, s.compatible
        ));

        let ops = &self.operations;
        for (title, entries) in [
            ("Operations added", &ops.added),
            ("Operations removed", &ops.removed),
        ] {
            heading(&mut out, title, entries.len());
            for e in entries {
                out.push_str(&format!(
                    "- {} `{} {}` `{}` (Rust: `{}`){}\n",
                    impact_label(e.impact),
                    e.method,
                    e.path,
                    e.operation_id,
                    e.rust,
                    e.moved
                        .as_ref()
                        .map(|m| format!("; same operationId {m}"))
                        .unwrap_or_default(),
                ));
            }
        }
        heading(&mut out, "Operations changed", ops.changed.len());
        for c in &ops.changed {
            out.push_str(&format!(
                "### `{} {}` `{}` (Rust: `{}`)\n\n",
                c.method, c.path, c.operation_id, c.rust
            ));
            push_changes(&mut out, &c.changes);
        }

        let items = &self.items;
        for (title, entries) in [
            ("Rust items removed", &items.removed),
            ("Rust items added", &items.added),
        ] {
            heading(&mut out, title, entries.len());
            for e in entries {
                let origin = e
                    .origin
                    .as_ref()
                    .map(|o| format!(" from `{o}`"))
                    .unwrap_or_default();
                let renamed = e
                    .renamed
                    .as_ref()
                    .map(|r| format!("; now `{r}`"))
                    .filter(|_| e.impact == Impact::Breaking)
                    .unwrap_or_default();
                out.push_str(&format!(
                    "- {} {} `{}`{origin}{renamed}\n",
                    impact_label(e.impact),
                    e.kind.label(),
                    e.path
                ));
            }
        }
        heading(&mut out, "Rust items changed", items.changed.len());
        for c in &items.changed {
            let origin = c
                .origin
                .as_ref()
                .map(|o| format!(" (from `{o}`)"))
                .unwrap_or_default();
            out.push_str(&format!("### {} `{}`{origin}\n\n", c.kind.label(), c.path));
            push_changes(&mut out, &c.changes);
        }

        let features = &self.features;
        let total = features.added.len() + features.removed.len() + features.changed.len();
        heading(&mut out, "Features", total);
        for (verb, entries) in [("added", &features.added), ("removed", &features.removed)] {
            for e in entries {
                out.push_str(&format!(
                    "- {} `{}` {verb}\n",
                    impact_label(e.impact),
                    e.name
                ));
            }
        }
        for c in &features.changed {
            for change in &c.changes {
                out.push_str(&format!(
                    "- {} `{}` {}: {}\n",
                    impact_label(change.impact),
                    c.path,
                    change.location,
                    change.detail
                ));
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }
}

fn heading(out: &mut String, title: &str, count: usize) {
    if count > 0 {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&format!("## {title} ({count})\n\n"));
    }
}

fn impact_label(impact: Impact) -> &'static str {
    match impact {
        Impact::Breaking => "**breaking**",
        Impact::Compatible => "compatible",
    }
}

/// One line per change, documentation changes folded into one count.
fn push_changes(out: &mut String, changes: &[Change]) {
    let mut docs = 0;
    for c in changes {
        if c.kind == ChangeKind::DocsChanged {
            docs += 1;
            continue;
        }
        out.push_str(&format!(
            "- {} {}: {}\n",
            impact_label(c.impact),
            c.location,
            c.detail
        ));
    }
    if docs > 0 {
        out.push_str(&format!(
            "- compatible documentation of {docs} place{}\n",
            if docs == 1 { "" } else { "s" }
        ));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind, members: &[(&str, &str)]) -> Item {
        Item {
            kind,
            signature: String::new(),
            members: members
                .iter()
                .enumerate()
                .map(|(i, (n, t))| {
                    (
                        n.to_string(),
                        surface::Member {
                            ty: t.to_string(),
                            deprecated: false,
                            docs: String::new(),
                            position: i,
                        },
                    )
                })
                .collect(),
            non_exhaustive: false,
            private_fields: false,
            tuple: false,
            deprecated: false,
            docs: String::new(),
            traits: BTreeSet::new(),
            feature: None,
        }
    }

    fn impacts(old: &Item, new: &Item) -> Vec<(ChangeKind, Impact)> {
        compare(old, new)
            .into_iter()
            .map(|c| (c.kind, c.impact))
            .collect()
    }

    #[test]
    fn an_added_field_breaks_only_structs_users_can_build() {
        let old = item(ItemKind::Struct, &[("a", "String")]);
        let new = item(ItemKind::Struct, &[("a", "String"), ("b", "Option<i64>")]);
        assert_eq!(
            impacts(&old, &new),
            [(ChangeKind::MemberAdded, Impact::Breaking)]
        );
        let (mut old_ne, mut new_ne) = (old.clone(), new.clone());
        old_ne.non_exhaustive = true;
        new_ne.non_exhaustive = true;
        assert_eq!(
            impacts(&old_ne, &new_ne),
            [(ChangeKind::MemberAdded, Impact::Compatible)]
        );
        let (mut old_private, mut new_private) = (old, new);
        old_private.private_fields = true;
        new_private.private_fields = true;
        assert_eq!(
            impacts(&old_private, &new_private),
            [(ChangeKind::MemberAdded, Impact::Compatible)]
        );
    }

    #[test]
    fn an_added_variant_breaks_only_exhaustive_enums() {
        let old = item(ItemKind::Enum, &[("A", ""), ("Unknown", "(String)")]);
        let new = item(
            ItemKind::Enum,
            &[("A", ""), ("B", ""), ("Unknown", "(String)")],
        );
        assert_eq!(
            impacts(&old, &new),
            [(ChangeKind::MemberAdded, Impact::Breaking)]
        );
        let (mut old, mut new) = (old, new);
        old.non_exhaustive = true;
        new.non_exhaustive = true;
        assert_eq!(
            impacts(&old, &new),
            [(ChangeKind::MemberAdded, Impact::Compatible)]
        );
    }

    #[test]
    fn removals_type_changes_and_lost_traits_break_additions_of_traits_do_not() {
        let mut old = item(ItemKind::Struct, &[("a", "String"), ("b", "i64")]);
        let mut new = item(ItemKind::Struct, &[("a", "Option<String>")]);
        old.traits.insert("serde::Serialize".into());
        new.traits.insert("Default".into());
        let got = impacts(&old, &new);
        assert!(got.contains(&(ChangeKind::MemberChanged, Impact::Breaking)));
        assert!(got.contains(&(ChangeKind::MemberRemoved, Impact::Breaking)));
        assert!(got.contains(&(ChangeKind::TraitRemoved, Impact::Breaking)));
        assert!(got.contains(&(ChangeKind::TraitAdded, Impact::Compatible)));
        let mut f_old = item(ItemKind::Function, &[]);
        let mut f_new = f_old.clone();
        f_old.signature = "fn(&self, &str) -> rt::Call<A>".into();
        f_new.signature = "fn(&self, &str, &P) -> rt::Call<A>".into();
        assert_eq!(
            impacts(&f_old, &f_new),
            [(ChangeKind::SignatureChanged, Impact::Breaking)]
        );
    }
}
